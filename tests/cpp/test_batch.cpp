// The batch engines: the same answers as pool() one fit at a time, with any number
// of threads.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <utility>
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
  // One thread: the calling thread fits both blocks of 64 subsets and checks after each
  // (with two, how many blocks it takes itself is up to the scheduler).
  metapool::BatchControl c = threads(1);
  int calls = 0;
  c.check_interrupt = [&calls] {
    if (++calls == 2) throw std::runtime_error("interrupted");
  };
  EXPECT_THROW(metapool::pool_all_subsets(kY, kV, opt, c), std::runtime_error);
  EXPECT_EQ(calls, 2);
}

// Result columns in the caller's memory (as R's glue supplies R vectors): each kept
// column is asked for once, the rows are written there, and they equal a run whose
// result owns its columns.
namespace {
struct VectorMemory : metapool::ColumnMemory {
  std::vector<std::vector<double>> doubles_made;
  std::vector<std::vector<int>> ints_made;
  int logical = 0;
  double* doubles(Eigen::Index n) override {
    doubles_made.emplace_back(static_cast<std::size_t>(n));
    return doubles_made.back().data();
  }
  int* ints(Eigen::Index n, bool is_logical) override {
    logical += is_logical;
    ints_made.emplace_back(static_cast<std::size_t>(n));
    return ints_made.back().data();
  }
};
}  // namespace

TEST(Batch, ColumnsInCallersMemory) {
  const std::vector<Eigen::Index> starts = {0, 3, 3, 7};  // an empty group too
  metapool::PoolOptions opt;
  const metapool::BatchResult owned = metapool::pool_groups(kY, kV, starts, opt, threads(2));
  VectorMemory memory;
  memory.doubles_made.reserve(20);  // pointers handed out stay valid
  memory.ints_made.reserve(5);
  metapool::BatchControl c = threads(2);
  c.columns = metapool::col_estimate | metapool::col_tau2 | metapool::col_converged;
  c.memory = &memory;
  const metapool::BatchResult r = metapool::pool_groups(kY, kV, starts, opt, c);
  ASSERT_EQ(memory.doubles_made.size(), 2u);  // estimate, tau2
  ASSERT_EQ(memory.ints_made.size(), 2u);     // k, converged
  EXPECT_EQ(memory.logical, 1);
  EXPECT_EQ(r.estimate.data(), memory.doubles_made[0].data());
  EXPECT_EQ(r.tau2.data(), memory.doubles_made[1].data());
  EXPECT_EQ(r.k.data(), memory.ints_made[0].data());
  EXPECT_EQ(r.se.size(), 0);
  for (int g = 0; g < 3; ++g) {
    EXPECT_EQ(memory.ints_made[0][g], owned.k[g]);
    EXPECT_EQ(memory.ints_made[1][g], owned.converged[g]);
    if (g == 1) {
      EXPECT_TRUE(std::isnan(memory.doubles_made[0][g]));
      continue;
    }
    EXPECT_EQ(memory.doubles_made[0][g], owned.estimate[g]);
    EXPECT_EQ(memory.doubles_made[1][g], owned.tau2[g]);
  }
  // Moving a result keeps its columns where they are.
  metapool::BatchResult moved = metapool::pool_groups(kY, kV, starts, opt, threads(1));
  const double* where = moved.estimate.data();
  const metapool::BatchResult target = std::move(moved);
  EXPECT_EQ(target.estimate.data(), where);
  EXPECT_EQ(target.estimate[2], owned.estimate[2]);
}

// The input checked while it is fitted: clean blocks are fitted as they are; a missing
// value is counted and, when asked, omitted from its own group only; an infinite effect
// or a variance that is not positive is counted and its group left unfitted.
TEST(Batch, InputScannedWhileFitting) {
  const Eigen::Index groups = 3000, k = 4;  // several blocks per thread
  VectorXd y(groups * k), v(groups * k);
  for (Eigen::Index i = 0; i < y.size(); ++i) {
    y[i] = std::sin(0.7 * static_cast<double>(i));
    v[i] = 0.05 + 0.01 * static_cast<double>(i % 13);
  }
  std::vector<Eigen::Index> starts(groups + 1);
  for (Eigen::Index g = 0; g <= groups; ++g) starts[g] = g * k;
  metapool::PoolOptions opt;
  opt.tau2_ci = metapool::Tau2CiMethod::none;
  for (int t : {1, 2}) {
    const metapool::BatchResult plain = metapool::pool_groups(y, v, starts, opt, threads(t));
    metapool::InputScan scan;
    const metapool::BatchResult r =
        metapool::pool_groups(y, v, starts, opt, threads(t), &scan, true);
    EXPECT_EQ(scan.complete, groups * k);
    EXPECT_EQ(scan.missing, 0);
    EXPECT_EQ(scan.refused, 0);
    EXPECT_EQ(r.estimate[2999], plain.estimate[2999]);
    metapool::InputScan by_size;
    const metapool::BatchResult columns =
        metapool::pool_columns(y, v, k, opt, threads(t), &by_size, true);
    EXPECT_EQ(by_size.complete, scan.complete);
    for (const Eigen::Index g : {0, 1234, 2999}) EXPECT_EQ(columns.estimate[g], plain.estimate[g]);
    VectorXd y2 = y, v2 = v;
    y2[2500 * k + 1] = std::numeric_limits<double>::quiet_NaN();
    v2[2700 * k + 2] = -0.1;
    const metapool::BatchResult omitted =
        metapool::pool_groups(y2, v2, starts, opt, threads(t), &scan, true);
    EXPECT_EQ(scan.missing, 1);
    EXPECT_EQ(scan.refused, 1);
    EXPECT_EQ(scan.complete, groups * k - 1);
    EXPECT_EQ(omitted.k[2500], 3);
    VectorXd ys(3), vs(3);
    ys << y2[2500 * k], y2[2500 * k + 2], y2[2500 * k + 3];
    vs << v2[2500 * k], v2[2500 * k + 2], v2[2500 * k + 3];
    EXPECT_EQ(omitted.estimate[2500], metapool::pool(ys, vs, {}, opt).estimate);
    EXPECT_EQ(omitted.k[2700], 0);
    EXPECT_TRUE(std::isnan(omitted.estimate[2700]));
    EXPECT_EQ(omitted.estimate[2600], plain.estimate[2600]);
    const metapool::BatchResult kept =
        metapool::pool_groups(y2, v2, starts, opt, threads(t), &scan, false);
    EXPECT_EQ(kept.k[2500], 0);  // missing values not omitted: not fitted
    EXPECT_EQ(kept.estimate[2499], plain.estimate[2499]);
  }
}

// Columns left out are empty; the kept ones equal a full run; skipping the tau^2 and
// prediction intervals changes nothing else.
TEST(Batch, ColumnsAndSkippedWork) {
  const std::vector<Eigen::Index> starts = {0, 3, 7};
  metapool::PoolOptions opt;
  const metapool::BatchResult full = metapool::pool_groups(kY, kV, starts, opt, threads(2));
  metapool::BatchControl lean = threads(2);
  lean.columns = metapool::col_estimate | metapool::col_tau2 | metapool::col_ci_lb;
  const metapool::BatchResult r = metapool::pool_groups(kY, kV, starts, opt, lean);
  EXPECT_EQ(r.se.size(), 0);
  EXPECT_EQ(r.tau2_lb.size(), 0);
  EXPECT_EQ(r.converged.size(), 0);
  for (int g = 0; g < 2; ++g) {
    EXPECT_EQ(r.estimate[g], full.estimate[g]);
    EXPECT_EQ(r.tau2[g], full.tau2[g]);
    EXPECT_EQ(r.ci_lb[g], full.ci_lb[g]);
    EXPECT_EQ(r.k[g], full.k[g]);
  }
  metapool::PoolOptions skip = opt;
  skip.tau2_ci = metapool::Tau2CiMethod::none;
  skip.prediction = false;
  skip.weights = false;
  const metapool::PoolFit a = metapool::pool(kY, kV, {}, opt);
  const metapool::PoolFit b = metapool::pool(kY, kV, {}, skip);
  EXPECT_EQ(a.estimate, b.estimate);
  EXPECT_EQ(a.se, b.se);
  EXPECT_EQ(a.tau2, b.tau2);
  EXPECT_EQ(a.Q_p, b.Q_p);
  EXPECT_TRUE(std::isnan(b.pi_lb) && std::isnan(b.tau2_lb));
  EXPECT_EQ(b.weights.size(), 0);
  EXPECT_EQ(b.group_estimate.size(), 0);
  ASSERT_EQ(a.group_estimate.size(), 1);
  EXPECT_EQ(a.group_estimate[0], a.estimate);
}

// The one-group fast path and the general path (two groups, one of them the data)
// agree on the shared tau^2 model's group means.
TEST(Batch, OneGroupPathMatchesGroupedPath) {
  metapool::PoolOptions opt;
  opt.method = metapool::Tau2Method::fixed;
  opt.tau2_fixed = 0.07;
  VectorXd y(kY.size() + 2), v(kV.size() + 2);
  y << kY, 5.0, 6.0;
  v << kV, 0.1, 0.1;
  std::vector<int> group(kY.size(), 0);
  group.push_back(1);
  group.push_back(1);
  const metapool::PoolFit one = metapool::pool(kY, kV, {}, opt);
  const metapool::PoolFit two = metapool::pool(y, v, group, opt);
  EXPECT_NEAR(two.group_estimate[0], one.estimate, 1e-14);
  EXPECT_NEAR(two.group_se[0], one.se, 1e-14);
}

// The exact permutation test in parts (first, count) equals the whole.
TEST(Batch, ExactPermutationInParts) {
  metapool::PoolOptions opt;
  const Eigen::MatrixXd none;
  const VectorXd whole = metapool::permutation_statistics(kY, kV, none, true, opt, threads(1));
  ASSERT_EQ(whole.size(), 128);
  const VectorXd a = metapool::permutation_statistics(kY, kV, none, true, opt, threads(2), 0, 50);
  const VectorXd b = metapool::permutation_statistics(kY, kV, none, true, opt, threads(2), 50);
  ASSERT_EQ(a.size() + b.size(), 128);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(a[i], whole[i]);
  for (int i = 0; i < 78; ++i) EXPECT_EQ(b[i], whole[50 + i]);
}

// Threads change nothing, across block (64) and chunk boundaries.
TEST(Batch, ThreadsBitIdenticalAcrossBlocks) {
  const int n = 300;
  VectorXd y(n * 5), v(n * 5);
  for (int i = 0; i < n * 5; ++i) {
    y[i] = std::sin(1.7 * i);
    v[i] = 0.05 + 0.3 * std::fabs(std::cos(0.3 * i));
  }
  std::vector<Eigen::Index> starts;
  for (int g = 0; g <= n; ++g) starts.push_back(5 * g);
  metapool::PoolOptions opt;
  metapool::BatchControl one, two;
  one.threads = 1;
  two.threads = 2;
  two.chunk = 100;
  const metapool::BatchResult a = metapool::pool_groups(y, v, starts, opt, one);
  const metapool::BatchResult b = metapool::pool_groups(y, v, starts, opt, two);
  for (int g = 0; g < n; ++g) {
    EXPECT_EQ(a.estimate[g], b.estimate[g]);
    EXPECT_EQ(a.tau2_ub[g], b.tau2_ub[g]);
    EXPECT_EQ(a.iterations[g], b.iterations[g]);
  }
}
