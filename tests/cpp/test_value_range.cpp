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

}  // namespace
