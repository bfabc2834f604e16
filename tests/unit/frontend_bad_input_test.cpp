// Bad ONNX input: each case must raise one InputError naming the file and the problem.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <onnx/onnx_pb.h>

#include "xbar/frontend/onnx_loader.h"
#include "xbar/support/atomic_file.h"
#include "xbar/support/error.h"

namespace xbar::frontend {
namespace {

namespace fs = std::filesystem;
const std::string kTiny = XBAR_TINY_DIR;

std::string loadError(const fs::path& path, const LoadOptions& options = {}) {
  try {
    loadOnnx(path, options);
  } catch (const InputError& e) {
    const std::string message = e.what();
    EXPECT_EQ(message.find('\n'), std::string::npos) << "one line: " << message;
    return message;
  }
  ADD_FAILURE() << path << " loaded without error";
  return {};
}

class ScratchDir : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("xbar_bad_onnx_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

using FrontendBadInput = ScratchDir;

TEST_F(FrontendBadInput, TruncatedFileIsRejected) {
  const std::string bytes = readFile(kTiny + "/two_conv_cnn.onnx");
  const fs::path path = dir_ / "truncated.onnx";
  writeFileAtomically(path, std::string_view(bytes).substr(0, bytes.size() / 2));
  const std::string message = loadError(path);
  EXPECT_NE(message.find("truncated.onnx"), std::string::npos) << message;
  EXPECT_NE(message.find("truncated or corrupt"), std::string::npos) << message;
}

TEST_F(FrontendBadInput, CorruptBytesAreRejected) {
  std::string bytes = readFile(kTiny + "/residual_block.onnx");
  for (size_t i = 20; i < bytes.size(); i += 7) bytes[i] = static_cast<char>(bytes[i] ^ 0x5a);
  const fs::path path = dir_ / "corrupt.onnx";
  writeFileAtomically(path, bytes);
  const std::string message = loadError(path);
  EXPECT_NE(message.find("corrupt.onnx"), std::string::npos) << message;
}

TEST_F(FrontendBadInput, TextFileIsRejected) {
  const fs::path path = dir_ / "notes.onnx";
  writeFileAtomically(path, "this is not a protobuf\n");
  EXPECT_NE(loadError(path).find("not a valid ONNX model"), std::string::npos);
}

TEST_F(FrontendBadInput, MissingFileIsNamed) {
  const std::string message = loadError(dir_ / "absent.onnx");
  EXPECT_NE(message.find("absent.onnx"), std::string::npos) << message;
  EXPECT_NE(message.find("no such file"), std::string::npos) << message;
}

TEST(FrontendBadInputModels, DynamicDimensionWithoutValueNamesInputAndFix) {
  const std::string message = loadError(kTiny + "/dynamic_batch.onnx");
  EXPECT_NE(message.find("input 'x' dimension 0"), std::string::npos) << message;
  EXPECT_NE(message.find("'N'"), std::string::npos) << message;
  EXPECT_NE(message.find("--dim N="), std::string::npos) << message;
}

TEST(FrontendBadInputModels, UnsupportedOpNamesNodeOpAndOpset) {
  const std::string message = loadError(kTiny + "/unsupported_op.onnx");
  EXPECT_NE(message.find("node 'hardmax_1'"), std::string::npos) << message;
  EXPECT_NE(message.find("op 'Hardmax'"), std::string::npos) << message;
  EXPECT_NE(message.find("opset 13"), std::string::npos) << message;
}

// tiny_snn.onnx (workloads/make_tiny_models.py) edited four ways: each names the problem.
TEST_F(FrontendBadInput, SpikingModelsStateTheirStepsAndLifParameters) {
  onnx::ModelProto good;
  ASSERT_TRUE(good.ParseFromString(readFile(kTiny + "/tiny_snn.onnx")));
  struct Case {
    std::string name, expected;
    void (*edit)(onnx::ModelProto&);
  };
  const Case cases[] = {
      {"no_timesteps",
       "node 'lif1' (xbar::LIF): makes this a spiking network, but the model "
       "has no metadata xbar.snn.timesteps",
       [](onnx::ModelProto& m) { m.clear_metadata_props(); }},
      {"bad_timesteps", "metadata xbar.snn.timesteps is '4.5'; expected a whole number",
       [](onnx::ModelProto& m) { m.mutable_metadata_props(0)->set_value("4.5"); }},
      {"no_theta", "node 'lif2' (xbar::LIF): has no float attribute 'theta'",
       [](onnx::ModelProto& m) {
         auto* attrs = m.mutable_graph()->mutable_node(5)->mutable_attribute();
         for (int i = 0; i < attrs->size(); ++i)
           if (attrs->Get(i).name() == "theta") attrs->DeleteSubrange(i, 1);
       }},
      {"batch_two", "input 'x' of a spiking network must be one time step of one sample",
       [](onnx::ModelProto& m) {
         m.mutable_graph()
             ->mutable_input(0)
             ->mutable_type()
             ->mutable_tensor_type()
             ->mutable_shape()
             ->mutable_dim(0)
             ->set_dim_value(2);
       }},
  };
  for (const Case& c : cases) {
    onnx::ModelProto m = good;
    c.edit(m);
    const fs::path path = dir_ / (c.name + ".onnx");
    writeFileAtomically(path, m.SerializeAsString());
    const std::string message = loadError(path);
    EXPECT_NE(message.find(c.name + ".onnx"), std::string::npos) << message;
    EXPECT_NE(message.find(c.expected), std::string::npos) << message;
  }
}

TEST_F(FrontendBadInput, MissingExternalDataFileIsNamed) {
  fs::copy_file(kTiny + "/mlp_gemm_external.onnx", dir_ / "mlp.onnx");
  const std::string message = loadError(dir_ / "mlp.onnx");
  EXPECT_NE(message.find("mlp_gemm_external.weights"), std::string::npos) << message;
}

TEST_F(FrontendBadInput, TruncatedExternalDataIsRejected) {
  fs::copy_file(kTiny + "/mlp_gemm_external.onnx", dir_ / "mlp.onnx");
  const std::string weights = readFile(kTiny + "/mlp_gemm_external.weights");
  writeFileAtomically(dir_ / "mlp_gemm_external.weights",
                      std::string_view(weights).substr(0, 1000));
  const std::string message = loadError(dir_ / "mlp.onnx");
  EXPECT_NE(message.find("initializer"), std::string::npos) << message;
}

// Writes mlp_gemm_external.onnx into the scratch directory with every external-data location
// replaced by `location`.
fs::path withExternalLocation(const fs::path& dir, const std::string& location) {
  onnx::ModelProto model;
  const std::string bytes = readFile(kTiny + "/mlp_gemm_external.onnx");
  EXPECT_TRUE(model.ParseFromString(bytes));
  for (onnx::TensorProto& t : *model.mutable_graph()->mutable_initializer())
    for (onnx::StringStringEntryProto& e : *t.mutable_external_data())
      if (e.key() == "location") e.set_value(location);
  const fs::path path = dir / "mlp.onnx";
  writeFileAtomically(path, model.SerializeAsString());
  return path;
}

// External data must resolve to a regular file inside the model's directory: an absolute
// location or one climbing out was opened and read (/etc/passwd was, refused only by its
// size), and a directory ended in bad_alloc. Each is refused even where the file it names
// holds valid weights.
TEST_F(FrontendBadInput, ExternalDataOutsideTheModelsDirectoryIsRefused) {
  const fs::path weights = fs::absolute(kTiny + "/mlp_gemm_external.weights");
  std::string message = loadError(withExternalLocation(dir_, weights.string()));
  EXPECT_NE(message.find("is absolute; expected a path relative to the model's directory"),
            std::string::npos)
      << message;
  fs::create_directories(dir_ / "inner");
  fs::copy_file(weights, dir_ / "w.weights");
  message = loadError(withExternalLocation(dir_ / "inner", "../w.weights"));
  EXPECT_NE(message.find("'../w.weights' leaves the model's directory"), std::string::npos)
      << message;
  message = loadError(withExternalLocation(dir_, "inner"));
  EXPECT_NE(message.find("'inner' is not a regular file; expected a data file"), std::string::npos)
      << message;
  // Inside the directory, a subdirectory path is fine.
  fs::copy_file(weights, dir_ / "inner" / "w.weights");
  EXPECT_NO_THROW(loadOnnx(withExternalLocation(dir_, "inner/w.weights")));
}

}  // namespace
}  // namespace xbar::frontend
