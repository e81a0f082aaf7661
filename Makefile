# One-word entry points. `make demo` and `make test` do all the set-up on a fresh
# machine with R and a C++ compiler: missing R packages come from CRAN through
# R's configured `repos` option.
R       ?= R
RSCRIPT ?= Rscript
PKG     := metapool
VERSION := $(shell sed -n 's/^Version: *//p' DESCRIPTION)
TARBALL := $(PKG)_$(VERSION).tar.gz

# R packages come from DESCRIPTION (tools/install_deps.R --imports: Imports and
# LinkingTo; --suggests: Suggests), so each is listed once. These variables name
# only what a target needs beyond DESCRIPTION's fields, except that TEST_DEPS also
# names the Suggests the tests skip without (duplicates are installed once), so that
# what `make test` installs for them can be read here.
BUILD_DEPS :=
TEST_DEPS  := bayesmeta future future.apply generics knitr meta metadat metafor robvis vdiffr
DEMO_DEPS  := metafor
BENCH_DEPS := bench
SITE_DEPS  := pkgdown 'evaluate>=0.24'

.PHONY: demo test check install deps-build deps-test sanitize valgrind bench document site clean

# Debian packages behind some R packages (CHECK_PATH:PACKAGE): xml2 needs libxml2;
# png and vdiffr need libpng; pkgdown's graphics and web stack the rest.
SYS_BUILD := /usr/include/libxml2/libxml/parser.h:libxml2-dev
SYS_TEST  := /usr/include/png.h:libpng-dev
SYS_SITE  := /usr/include/freetype2/ft2build.h:libfreetype6-dev \
             /usr/include/fontconfig/fontconfig.h:libfontconfig1-dev \
             /usr/include/harfbuzz/hb.h:libharfbuzz-dev /usr/include/fribidi/fribidi.h:libfribidi-dev \
             /usr/include/x86_64-linux-gnu/tiffio.h:libtiff-dev /usr/include/jpeglib.h:libjpeg-dev \
             /usr/include/x86_64-linux-gnu/curl/curl.h:libcurl4-openssl-dev \
             /usr/include/openssl/ssl.h:libssl-dev

deps-build:
	sh tools/system_deps.sh $(SYS_BUILD)
	$(RSCRIPT) tools/install_deps.R --imports $(BUILD_DEPS)

deps-test:
	sh tools/system_deps.sh $(SYS_BUILD) $(SYS_TEST)
	$(RSCRIPT) tools/install_deps.R --imports --suggests $(TEST_DEPS)

install: deps-build
	$(R) CMD INSTALL --no-multiarch --preclean .

## The package's main job (with metafor, for the report's metafor column).
demo: install
	$(RSCRIPT) tools/install_deps.R $(DEMO_DEPS)
	$(RSCRIPT) tools/demo.R

## The full test suite; ends with "N passed, N failed".
test: deps-test install
	$(RSCRIPT) tools/run_tests.R

## R CMD build + R CMD check --as-cran on the tarball.
check: deps-test
	sh tools/system_deps.sh /usr/bin/qpdf:qpdf
	rm -rf $(PKG).Rcheck $(TARBALL)
	$(R) CMD build .
	_R_CHECK_CRAN_INCOMING_=false _R_CHECK_CRAN_INCOMING_REMOTE_=false \
	  $(R) CMD check --as-cran --no-manual $(TARBALL)
	$(RSCRIPT) tools/check_status.R $(PKG).Rcheck/00check.log

## The C++ core's own tests under AddressSanitizer and UBSan.
sanitize: deps-build
	sh tools/sanitize.sh

## The R test suite under valgrind memcheck, installed into a private library
## (slow; pick files with VALGRIND_FILTER, a regex on the name after test-).
VALGRIND_FILTER ?= .
valgrind: deps-test
	VALGRIND_FILTER='$(VALGRIND_FILTER)' sh tools/valgrind.sh

bench: install
	$(RSCRIPT) tools/install_deps.R --suggests $(BENCH_DEPS)
	$(RSCRIPT) bench/run_all.R

## Regenerate RcppExports, NAMESPACE and man/ (needs roxygen2).
document:
	$(RSCRIPT) -e 'Rcpp::compileAttributes(); roxygen2::roxygenise()'

## The pkgdown web site in docs/ (reference by task, vignettes as articles), then a
## check that every local link in it resolves. Open docs/index.html.
site: install
	sh tools/system_deps.sh $(SYS_SITE)
	$(RSCRIPT) tools/install_deps.R --suggests $(SITE_DEPS)
	$(RSCRIPT) -e 'pkgdown::build_site(install = FALSE, new_process = FALSE)'
	$(RSCRIPT) tools/check_site_links.R docs

clean:
	rm -rf $(PKG).Rcheck $(PKG)_*.tar.gz src/*.o src/*.so tests/cpp/build docs
