# Fails (exit 1) when an R CMD check log reports an ERROR or a WARNING.
log <- readLines(commandArgs(trailingOnly = TRUE)[1])
status <- grep("^Status:", log, value = TRUE)
cat(if (length(status)) status else "Status: not found", "\n")
if (!length(status) || grepl("ERROR|WARNING", status)) quit(status = 1)
