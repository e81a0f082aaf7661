// The batch engines: the same answers as pool() one fit at a time, with any number
// of threads.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "metapool/batch.hpp"

using Eigen::VectorXd;

namespace {

const VectorXd kY = (VectorXd(7) << -0.6, 0.1, 0.9, 0.3, 1.4, -0.2, 0.5).finished();
const VectorXd kV = (VectorXd(7) << 0.1, 0.2, 0.15, 0.3, 0.1, 0.2, 0.25).finished();

metapool::BatchControl threads(int n) {
  metapool::BatchControl c;
  c.threads = n;
  c.chunk = 5;  // several chunks, so the between-chunk hooks run
  return c;
}

}  // namespace

TEST(Batch, GroupsEqualSeparateFits) {
  const std::vector<Eigen::Index> starts = {0, 3, 7};
  metapool::PoolOptions opt;
  for (int t : {1, 2}) {
    const metapool::BatchResult r = metapool::pool_groups(kY, kV, starts, opt, threads(t));
    const metapool::PoolFit a = metapool::pool(kY.head(3), kV.head(3), {}, opt);
    const metapool::PoolFit b = metapool::pool(kY.tail(4), kV.tail(4), {}, opt);
    EXPECT_EQ(r.estimate[0], a.estimate);
    EXPECT_EQ(r.tau2[1], b.tau2);
    EXPECT_EQ(r.k[1], 4);
  }
}

TEST(Batch, AllSubsetsCountAndLastIsTheFullFit) {
  metapool::PoolOptions opt;
  opt.tau2_ci = metapool::Tau2CiMethod::none;
  const metapool::BatchResult r = metapool::pool_all_subsets(kY, kV, opt, threads(2));
  ASSERT_EQ(r.estimate.size(), 127);
  const metapool::PoolFit full = metapool::pool(kY, kV, {}, opt);
  EXPECT_EQ(r.estimate[126], full.estimate);
  EXPECT_EQ(r.k[0], 1);
  EXPECT_EQ(r.estimate[0], kY[0]);  // mask 1: the first study alone
}

TEST(Batch, SubsetMasksSpanSeveralWordsBeyond64Studies) {
  // 80 studies: masks of two 64-bit words; study j is bit j % 64 of word j / 64.
  VectorXd y(80), v(80);
  for (int j = 0; j < 80; ++j) {
    y[j] = std::sin(0.7 * j);
    v[j] = 0.05 + 0.01 * (j % 7);
  }
  metapool::PoolOptions opt;
  opt.tau2_ci = metapool::Tau2CiMethod::none;
  // Subset 0: studies 0, 63, 64 and 79; subset 1: every study.
  const std::vector<std::uint64_t> masks = {(1ULL << 0) | (1ULL << 63), (1ULL << 0) | (1ULL << 15),
                                            ~0ULL, (1ULL << 16) - 1};
  const metapool::BatchResult r = metapool::pool_subsets(y, v, masks, 2, opt, threads(2));
  ASSERT_EQ(r.estimate.size(), 2);
  const VectorXd ys = (VectorXd(4) << y[0], y[63], y[64], y[79]).finished();
  const VectorXd vs = (VectorXd(4) << v[0], v[63], v[64], v[79]).finished();
  EXPECT_EQ(r.k[0], 4);
  EXPECT_EQ(r.estimate[0], metapool::pool(ys, vs, {}, opt).estimate);
  EXPECT_EQ(r.k[1], 80);
  EXPECT_EQ(r.estimate[1], metapool::pool(y, v, {}, opt).estimate);
  // One word cannot hold 80 studies; a ragged mask vector is refused too.
  EXPECT_THROW(metapool::pool_subsets(y, v, masks, 1, opt, threads(1)), std::invalid_argument);
  EXPECT_THROW(metapool::pool_subsets(y, v, {1, 2, 3}, 2, opt, threads(1)),
               std::invalid_argument);
}

TEST(Batch, LeaveOneOutAndCumulative) {
  metapool::PoolOptions opt;
  const metapool::BatchResult l = metapool::leave_one_out(kY, kV, opt, threads(2));
  VectorXd y(6), v(6);
  y << kY.head(2), kY.tail(4);
  v << kV.head(2), kV.tail(4);
  EXPECT_EQ(l.estimate[2], metapool::pool(y, v, {}, opt).estimate);
  const std::vector<int> order = {6, 5, 4, 3, 2, 1, 0};
  const metapool::BatchResult c = metapool::cumulative(kY, kV, order, opt, threads(1));
  EXPECT_EQ(c.estimate[0], kY[6]);
  EXPECT_EQ(c.k[6], 7);
  EXPECT_THROW(metapool::cumulative(kY, kV, {0, 1}, opt, threads(1)), std::invalid_argument);
}

TEST(Batch, InfluenceMatchesDeletedFits) {
  metapool::PoolOptions opt;
  opt.method = metapool::Tau2Method::dl;
  const metapool::Influence inf = metapool::influence(kY, kV, opt, threads(2));
  const metapool::PoolFit full = metapool::pool(kY, kV, {}, opt);
  EXPECT_NEAR(inf.hat.sum(), 1.0, 1e-14);
  const double diff = full.estimate - inf.deleted.estimate[4];
  EXPECT_NEAR(inf.cook_d[4], diff * diff / (full.se * full.se), 1e-14);
}

TEST(Batch, ExactPermutationsIncludeTheObservedData) {
  metapool::PoolOptions opt;
  opt.method = metapool::Tau2Method::dl;
  const Eigen::MatrixXd none(0, 0);
  const VectorXd stat = metapool::permutation_statistics(kY, kV, none, true, opt, threads(2));
  ASSERT_EQ(stat.size(), 128);
  EXPECT_EQ(stat[0], metapool::pool(kY, kV, {}, opt).stat);
  EXPECT_NEAR(stat[127], -stat[0], 1e-12);  // all signs flipped
}

TEST(Batch, BootstrapUsesTheGivenDraws) {
  metapool::PoolOptions opt;
  Eigen::MatrixXi index(7, 2);
  index.col(0) << 0, 1, 2, 3, 4, 5, 6;
  index.col(1) << 0, 0, 0, 0, 0, 0, 0;
  const metapool::BatchResult r = metapool::bootstrap_resample(kY, kV, index, opt, threads(2));
  EXPECT_EQ(r.estimate[0], metapool::pool(kY, kV, {}, opt).estimate);
  EXPECT_NEAR(r.estimate[1], kY[0], 1e-15);
  index(0, 1) = 9;
  EXPECT_THROW(metapool::bootstrap_resample(kY, kV, index, opt, threads(1)), std::invalid_argument);
}

TEST(Batch, InterruptHookRunsBetweenChunksAndPropagates) {
  metapool::PoolOptions opt;
  metapool::BatchControl c = threads(2);
  int calls = 0;
  c.check_interrupt = [&calls] {
    if (++calls == 2) throw std::runtime_error("interrupted");
  };
  EXPECT_THROW(metapool::pool_all_subsets(kY, kV, opt, c), std::runtime_error);
  EXPECT_EQ(calls, 2);
}
