// `mpirun -n 2 xbar sweep` spreads the points over two ranks and gathers them on rank 0: the
// results equal a serial run of the same sweep byte for byte, and rank 1 did run points.
#include "command_fixture.h"

namespace {

using namespace xbar::testing;

class SweepMpi : public CommandTest {};

std::string mpirun(int ranks) {
  // Shared memory without cross-memory attach, which containers often forbid (ptrace).
  std::string command = std::string(XBAR_MPIEXEC) + " -n " + std::to_string(ranks) +
                        " --oversubscribe --mca btl self,vader,tcp"
                        " --mca btl_vader_single_copy_mechanism none ";
  if (::getuid() == 0) command += "--allow-run-as-root ";  // CI runs as root (docs/building.md)
  return command;
}

TEST_F(SweepMpi, TwoRanksGiveTheSerialResults) {
  // 2 workloads x 2 grid values x 2 partitioners x 2 batches = 16 points.
  const fs::path file = writeFile(
      "s.yaml", "workloads: [" + tiny("mlp_gemm.onnx") + ", " + tiny("two_conv_cnn.onnx") +
                    "]\narchs: [compass-sram-m]\ngrid:\n  crossbar.rows: [128, 256]\n"
                    "partitioners: [greedy, compass]\nbatches: [1, 2]\n");
  std::string err;
  ASSERT_EQ(xbar("sweep " + file.string() + " -o " + (dir_ / "serial").string(), &err), 0) << err;
  ASSERT_EQ(xbar("sweep " + file.string() + " -o " + (dir_ / "mpi").string(), &err, mpirun(2)), 0)
      << err;
  EXPECT_EQ(slurp(dir_ / "mpi" / "results.csv"), slurp(dir_ / "serial" / "results.csv"));
  EXPECT_EQ(slurp(dir_ / "mpi" / "results.jsonl"), slurp(dir_ / "serial" / "results.jsonl"));

  // The journal says which rank ran each point: both did.
  size_t byRank1 = 0;
  const std::vector<std::string> journal = lines(dir_ / "mpi" / "journal.jsonl");
  ASSERT_EQ(journal.size(), 16u);
  for (const std::string& line : journal) byRank1 += line.find("\"rank\":1") != std::string::npos;
  EXPECT_GT(byRank1, 0u) << "rank 1 ran no point";
  EXPECT_LT(byRank1, 16u) << "rank 0 ran no point";

  // Resumed under MPI, a finished sweep runs nothing more.
  ASSERT_EQ(xbar("sweep " + file.string() + " -o " + (dir_ / "mpi").string(), &err, mpirun(2)), 0);
  EXPECT_NE(err.find("16 of 16 points already"), std::string::npos) << err;
}

TEST_F(SweepMpi, ABadSweepFileStopsEveryRankWithOneLine) {
  const fs::path file =
      writeFile("bad.yaml",
                "workloads: [nope.onnx]\narchs: [compass-sram-m]\npartitioners: [greedy]\n"
                "batches: [1]\n");
  std::string err;
  EXPECT_NE(xbar("sweep " + file.string() + " -o " + (dir_ / "r").string(), &err, mpirun(2)), 0);
  EXPECT_NE(err.find("xbar: error: " + file.string() + ":1: workload 'nope.onnx' does not exist"),
            std::string::npos)
      << err;
  EXPECT_EQ(err.find("rank 1"), std::string::npos) << "rank 1 stays quiet: " << err;
}

}  // namespace
