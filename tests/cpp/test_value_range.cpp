// The one-pass range scan behind the input checks: missing values skipped, infinities kept.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "metapool/value_range.hpp"

namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kInf = std::numeric_limits<double>::infinity();

TEST(ValueRange, EmptyAndAllMissing) {
  EXPECT_EQ(metapool::value_range(nullptr, 0).n_valid, 0u);
  const std::vector<double> x = {kNaN, kNaN};
  EXPECT_EQ(metapool::value_range(x.data(), x.size()).n_valid, 0u);
}

TEST(ValueRange, SkipsMissingKeepsInfinities) {
  const std::vector<double> x = {kNaN, 3, -2, kNaN, kInf, 0.5};
  const metapool::ValueRange r = metapool::value_range(x.data(), x.size());
  EXPECT_EQ(r.n_valid, 4u);
  EXPECT_EQ(r.min, -2);
  EXPECT_EQ(r.max, kInf);
  const std::vector<double> y = {-kInf, 1};
  EXPECT_EQ(metapool::value_range(y.data(), y.size()).min, -kInf);
}

// Long inputs are split between threads: the same answer, wherever the extremes,
// missing values and infinities fall.
TEST(ValueRange, ThreadsAgree) {
  std::vector<double> x(300001);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = std::sin(static_cast<double>(i));
  x[7] = kNaN;
  x[299999] = kNaN;
  x[250000] = -kInf;
  x[123] = 5;
  for (const int threads : {1, 2, 3}) {
    const metapool::ValueRange r = metapool::value_range(x.data(), x.size(), threads);
    EXPECT_EQ(r.n_valid, x.size() - 2);
    EXPECT_EQ(r.min, -kInf);
    EXPECT_EQ(r.max, 5);
  }
  const std::vector<double> missing(200000, kNaN);
  const metapool::ValueRange none = metapool::value_range(missing.data(), missing.size(), 2);
  EXPECT_EQ(none.n_valid, 0u);
  EXPECT_EQ(none.min, 0);
}

}  // namespace
