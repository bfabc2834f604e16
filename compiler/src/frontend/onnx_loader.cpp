#include "xbar/frontend/onnx_loader.h"

#include <algorithm>
#include <climits>
#include <memory>
#include <unordered_set>

#include <llvm/ADT/StringMap.h>
#include <onnx/checker.h>
#include <onnx/defs/schema.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>
#include <spdlog/spdlog.h>

#include "raw_data_filter.h"
#include "shape_completion.h"
#include "spiking_model.h"
#include "tensor_decoder.h"
#include "xbar/passes/passes.h"
#include "xbar/support/error.h"
#include "xbar/support/mapped_file.h"

namespace xbar::frontend {
namespace {

using onnx::ModelProto;
using onnx::TensorProto;

// Tensors up to this many elements are structure (shape vectors, scalars, Clip bounds),
// not weights: they are always loaded and always given to the checker and shape inference.
constexpr int64_t kStructureElements = 64;

// ONNX messages span lines and dump protos; the CLI prints one line.
std::string oneLine(std::string_view text, size_t limit = 400) {
  std::string out;
  for (char c : text) {
    if (c == '\n' || c == '\r') {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
    if (out.size() >= limit) {
      out += "...";
      break;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

int64_t elementCount(const TensorProto& t) {
  int64_t n = 1;
  for (int64_t d : t.dims()) n *= d;
  return n;
}

// The default-domain opset, which this ONNX library must know: a newer one would be checked
// and inferred by rules that are not its own.
int64_t defaultOpset(const ModelProto& model, const std::string& file) {
  const auto& known = onnx::OpSchemaRegistry::DomainToVersionRange::Instance().Map();
  const int64_t newest = known.at(onnx::ONNX_DOMAIN).second;
  for (const auto& opset : model.opset_import())
    if (opset.domain().empty() || opset.domain() == "ai.onnx") {
      if (opset.version() < 1 || opset.version() > newest)
        failInput(file, "imports opset {}; expected 1 to {} (the newest this ONNX library knows)",
                  opset.version(), newest);
      return opset.version();
    }
  failInput(file, "model imports no default-domain opset");
}

// The most elements one tensor may have: far beyond any network, and small enough that byte
// counts and their sums stay exact in int64 and double.
constexpr int64_t kMaxElements = int64_t{1} << 48;

// The element count of `dims`, refusing a product beyond kMaxElements (2^62 x 2^62 once
// overflowed to 0 bytes).
int64_t checkedElements(const std::vector<int64_t>& dims, const std::string& where,
                        const std::string& what) {
  int64_t n = 1;
  for (int64_t d : dims) {
    if (d > 0 && n > kMaxElements / d)
      failInput(where, "{} has shape {} with more than 2^48 elements; expected a real tensor", what,
                fmt::join(dims, "x"));
    n *= d;
  }
  return n;
}

// Attributes that shape inference divides by or loops over: a stride of 0 once killed the
// process with SIGFPE inside ONNX, an unknown auto_pad was ignored.
void checkWindowAttributes(const onnx::NodeProto& n, const std::string& where) {
  for (const auto& a : n.attribute()) {
    const std::string& name = a.name();
    const bool positive = name == "strides" || name == "dilations" || name == "kernel_shape";
    if (positive || name == "pads")
      for (int64_t v : a.ints())
        if (positive ? v < 1 : v < 0)
          failInput(where, "attribute '{}' holds {}; expected {} values", name, v,
                    positive ? "positive" : "non-negative");
    if (name == "auto_pad" && a.s() != "NOTSET" && a.s() != "SAME_UPPER" && a.s() != "SAME_LOWER" &&
        a.s() != "VALID")
      failInput(where, "auto_pad is '{}'; expected NOTSET, SAME_UPPER, SAME_LOWER or VALID", a.s());
  }
}

class Loader {
 public:
  Loader(std::filesystem::path path, const LoadOptions& options)
      : path_(std::move(path)), file_(path_.string()), options_(options) {}

  ir::Graph run() {
    registerXbarOps();
    parse();
    checkOpsSupported();
    ModelProto skeleton = makeSkeleton();
    bindSymbolicDims(skeleton);
    if (graph_.timesteps > 0) unrollTime(skeleton, model_.graph(), graph_.timesteps, file_);
    checkAndInfer(skeleton);
    indexTypes(skeleton);
    // ONNX 1.12 cannot see through Shape/Gather/Concat chains into Reshape (nor through
    // ConstantOfShape/Equal/Where into Expand), nor give Einsum's dims: fold the chains into
    // constants, complete Einsum's shapes and infer again, while that makes progress; each
    // round does what the last one's shapes let it.
    const auto typeOf = [this](const std::string& name) -> const onnx::TypeProto* {
      const auto it = types_.find(name);
      return it == types_.end() ? nullptr : it->second;
    };
    const auto where = [this](const onnx::NodeProto& n) { return nodeWhere(n); };
    while (!allTypesStatic() &&
           completeEinsumShapes(skeleton, typeOf, where) + foldConstantChains(skeleton) > 0) {
      infer(skeleton);
      indexTypes(skeleton);
    }
    buildGraph(model_.graph(), /*lenient=*/false);
    return std::move(graph_);
  }

 private:
  void parse() {
    mapped_ = std::make_unique<MappedFile>(path_);
    const std::string_view bytes = mapped_->bytes();
    if (bytes.size() > static_cast<size_t>(INT_MAX))
      failInput(file_,
                "is {} bytes; protobuf files over 2 GiB must keep weights as ONNX "
                "external data",
                bytes.size());
    // Weight payloads stay in the mapped file; the message holds everything else.
    if (bytes.empty() || !filterRawData(bytes, filtered_) ||
        !model_.ParseFromString(filtered_.bytes))
      failInput(file_,
                "is not a valid ONNX model: the protobuf does not parse (truncated or "
                "corrupt file?)");
    if (!model_.has_graph() || model_.graph().node_size() == 0)
      failInput(file_,
                "is not a valid ONNX model: it has no graph nodes (truncated or corrupt "
                "file?)");
    opset_ = defaultOpset(model_, file_);
    for (const auto& prop : model_.metadata_props())
      if (prop.key() == kStrippedMetadataKey && prop.value() == kStrippedMetadataValue)
        weightsStripped_ = true;
    graph_.weightsStripped = weightsStripped_;
    graph_.source = file_;
    graph_.name = path_.stem().string();
    graph_.opsetVersion = opset_;
    graph_.shapesOnly = options_.shapesOnly;
    graph_.timesteps = snnTimesteps(model_, file_);
  }

  std::string nodeWhere(const onnx::NodeProto& n) const {
    return fmt::format("{}: node '{}' (op '{}', opset {})", file_, n.name(), n.op_type(), opset_);
  }

  void checkOpsSupported() const {
    for (const auto& n : model_.graph().node()) {
      const bool defaultDomain = n.domain().empty() || n.domain() == "ai.onnx";
      if (!defaultDomain && n.domain() != ir::kXbarDomain)
        throw InputError(nodeWhere(n) + fmt::format(": operator domain '{}' is not supported; "
                                                    "expected the default ONNX domain (or "
                                                    "'xbar' for LIF)",
                                                    n.domain()));
      if (!ir::opKindFromOnnx(n.op_type(), n.domain()))
        throw InputError(nodeWhere(n) + fmt::format(": unsupported operator; xbar supports {}",
                                                    ir::supportedOpList()));
      checkWindowAttributes(n, nodeWhere(n));
      // Tensor attributes (a Constant's value) are read by shape inference as they are: their
      // data must hold what their dims promise.
      for (const auto& a : n.attribute())
        if (a.has_t())
          decodeTensorData(a.t(), path_.parent_path(),
                           fmt::format("{}: attribute '{}'", nodeWhere(n), a.name()));
    }
  }

  // The model without its weight data: large initializers become typed graph inputs, so
  // the checker and shape inference never touch (or need) weight bytes.
  ModelProto makeSkeleton() {
    auto* initializers = model_.mutable_graph()->mutable_initializer();
    google::protobuf::RepeatedPtrField<TensorProto> held;
    held.Swap(initializers);
    ModelProto skeleton;
    skeleton.CopyFrom(model_);
    held.Swap(initializers);

    std::unordered_set<std::string> inputNames;
    for (const auto& in : skeleton.graph().input()) inputNames.insert(in.name());
    for (int i = 0; i < model_.graph().initializer_size(); ++i) {
      const TensorProto& t = model_.graph().initializer(i);
      for (int64_t d : t.dims())
        if (d < 0) failInput(file_, "initializer '{}' has negative dimension {}", t.name(), d);
      const std::vector<int64_t> dims(t.dims().begin(), t.dims().end());
      const int64_t elements =
          checkedElements(dims, file_, fmt::format("initializer '{}'", t.name()));
      const bool structure = elements <= kStructureElements &&
                             t.data_location() != TensorProto::EXTERNAL && !tensorHasNoData(t) &&
                             rawDataOf(i).empty();
      if (structure) {
        // Shape inference reads these (a Reshape's shape, say) and trusts their size: check
        // it first (ONNX 1.12 copies past the end of a short raw_data).
        decodeTensorData(t, path_.parent_path(),
                         fmt::format("{}: initializer '{}'", file_, t.name()));
        *skeleton.mutable_graph()->add_initializer() = t;
        continue;
      }
      if (inputNames.count(t.name())) continue;
      auto* input = skeleton.mutable_graph()->add_input();
      input->set_name(t.name());
      auto* tensorType = input->mutable_type()->mutable_tensor_type();
      tensorType->set_elem_type(t.data_type());
      auto* shape = tensorType->mutable_shape();
      for (int64_t d : t.dims()) shape->add_dim()->set_dim_value(d);
    }
    return skeleton;
  }

  void bindSymbolicDims(ModelProto& skeleton) const {
    std::unordered_set<std::string> initializerNames;
    for (const auto& t : model_.graph().initializer()) initializerNames.insert(t.name());
    for (auto& input : *skeleton.mutable_graph()->mutable_input()) {
      if (initializerNames.count(input.name())) continue;
      if (!input.type().has_tensor_type())
        failInput(file_, "input '{}' is not a tensor; expected a tensor input", input.name());
      auto* shape = input.mutable_type()->mutable_tensor_type()->mutable_shape();
      if (!input.type().tensor_type().has_shape())
        failInput(file_, "input '{}' has no shape; expected a static shape", input.name());
      for (int i = 0; i < shape->dim_size(); ++i) {
        auto* dim = shape->mutable_dim(i);
        if (dim->has_dim_value()) {
          if (dim->dim_value() <= 0)
            failInput(file_, "input '{}' dimension {} is {}; expected a positive size",
                      input.name(), i, dim->dim_value());
          continue;
        }
        if (!dim->has_dim_param() || dim->dim_param().empty())
          failInput(file_,
                    "input '{}' dimension {} is dynamic with no name and no value; "
                    "expected a static size",
                    input.name(), i);
        const std::string param = dim->dim_param();
        auto bound = options_.dimValues.find(param);
        if (bound == options_.dimValues.end())
          failInput(file_,
                    "input '{}' dimension {} is dynamic ('{}') with no value; give one "
                    "with --dim {}=N",
                    input.name(), i, param, param);
        dim->set_dim_value(bound->second);
      }
      std::vector<int64_t> dims;
      for (const auto& d : shape->dim()) dims.push_back(d.dim_value());
      checkedElements(dims, file_, fmt::format("input '{}'", input.name()));
    }
  }

  void checkAndInfer(ModelProto& skeleton) const {
    try {
      onnx::checker::check_model(skeleton);
    } catch (const std::exception& e) {
      failInput(file_, "ONNX checker: {}", oneLine(e.what()));
    }
    infer(skeleton);
  }

  void infer(ModelProto& skeleton) const {
    try {
      // check types, throw on node-level errors, propagate constant shape data.
      onnx::ShapeInferenceOptions inference(true, 1, true);
      onnx::shape_inference::InferShapes(skeleton, onnx::OpSchemaRegistry::Instance(), inference);
    } catch (const std::exception& e) {
      failInput(file_, "ONNX shape inference: {}", oneLine(e.what()));
    }
  }

  bool allTypesStatic() const {
    for (const auto& entry : types_) {
      const auto& t = *entry.second;
      if (!t.has_tensor_type() || !t.tensor_type().has_shape()) return false;
      for (const auto& d : t.tensor_type().shape().dim())
        if (!d.has_dim_value()) return false;
    }
    return true;
  }

  // Builds a provisional graph of the skeleton (unknown dims as -1), folds constant chains
  // with the IR pass, and writes the folded values back as initializers of the skeleton in
  // place of the nodes that computed them.
  // Returns how many values it made constants.
  size_t foldConstantChains(ModelProto& skeleton) {
    buildGraph(skeleton.graph(), /*lenient=*/true);
    passes::foldConstants(graph_);
    std::unordered_set<std::string> folded;
    for (const ir::Node& n : graph_.nodes) {
      if (!n.removed) continue;
      for (ir::ValueId out : n.outputs) {
        const ir::Value& v = graph_.value(out);
        if (!v.data) continue;  // folded from stripped weights: shape inference has its type
        // The element type inference gave it (a BOOL from Equal, an INT32), so its readers
        // type-check as before.
        const auto type = types_.find(v.name);
        const int32_t elem =
            type != types_.end() && type->second->has_tensor_type()
                ? type->second->tensor_type().elem_type()
                : (v.type == ir::ElementType::Int ? TensorProto::INT64 : TensorProto::FLOAT);
        encodeTensorData(v, elem, skeleton.mutable_graph()->add_initializer());
        folded.insert(v.name);
      }
    }
    // Their value_info from the last inference (dims unknown then) would override the
    // initializers' exact types: drop it.
    auto* infos = skeleton.mutable_graph()->mutable_value_info();
    for (int i = infos->size() - 1; i >= 0; --i)
      if (folded.count(infos->Get(i).name())) infos->DeleteSubrange(i, 1);
    auto* nodes = skeleton.mutable_graph()->mutable_node();
    for (int i = nodes->size() - 1; i >= 0; --i) {
      const auto& n = nodes->Get(i);
      const bool allFolded = std::all_of(n.output().begin(), n.output().end(),
                                         [&](const std::string& o) { return folded.count(o) > 0; });
      if (allFolded && n.output_size() > 0) nodes->DeleteSubrange(i, 1);
    }
    graph_ = ir::Graph();
    ids_.clear();
    graph_.source = file_;
    graph_.name = path_.stem().string();
    graph_.opsetVersion = opset_;
    graph_.shapesOnly = options_.shapesOnly;
    graph_.weightsStripped = weightsStripped_;
    return folded.size();
  }

  void indexTypes(const ModelProto& skeleton) {
    types_.clear();  // the entries point into the inferred_ this replaces
    inferred_ = skeleton.graph();
    inferred_.clear_initializer();
    inferred_.clear_node();
    // A value folded into an initializer has the initializer's type (its value_info from an
    // earlier round of inference may still hold the dims that were unknown then).
    for (const TensorProto& t : skeleton.graph().initializer()) {
      auto* v = inferred_.add_value_info();
      v->set_name(t.name());
      auto* tensorType = v->mutable_type()->mutable_tensor_type();
      tensorType->set_elem_type(t.data_type());
      auto* shape = tensorType->mutable_shape();
      for (int64_t d : t.dims()) shape->add_dim()->set_dim_value(d);
    }
    for (const auto& v : inferred_.input()) types_[v.name()] = &v.type();
    // The initializers' entries come last, so they win.
    for (const auto& v : inferred_.value_info()) types_[v.name()] = &v.type();
    for (const auto& v : inferred_.output()) types_[v.name()] = &v.type();
  }

  ir::Value typedValue(const std::string& name, const std::string& where, bool lenient) const {
    auto it = types_.find(name);
    if (lenient && (it == types_.end() || !it->second->has_tensor_type() ||
                    !it->second->tensor_type().has_shape())) {
      ir::Value unknown;
      unknown.name = name;
      unknown.shape = {-1};
      if (it != types_.end() && it->second->has_tensor_type())
        unknown.type = elementTypeOf(it->second->tensor_type().elem_type(), where);
      return unknown;
    }
    if (it == types_.end() || !it->second->has_tensor_type())
      failInput(where, "tensor '{}' has no type after shape inference; expected a tensor", name);
    const auto& tensorType = it->second->tensor_type();
    ir::Value v;
    v.name = name;
    v.type = elementTypeOf(tensorType.elem_type(), where + ": tensor '" + name + "'");
    if (!tensorType.has_shape())
      failInput(where, "tensor '{}' has no static shape after shape inference", name);
    for (int i = 0; i < tensorType.shape().dim_size(); ++i) {
      const auto& dim = tensorType.shape().dim(i);
      if (!dim.has_dim_value() && lenient) {
        v.shape.push_back(-1);
        continue;
      }
      if (!dim.has_dim_value())
        failInput(where,
                  "tensor '{}' dimension {} is dynamic{} after shape inference; "
                  "expected a static size",
                  name, i, dim.has_dim_param() ? fmt::format(" ('{}')", dim.dim_param()) : "");
      v.shape.push_back(dim.dim_value());
    }
    checkedElements(v.shape, where, fmt::format("tensor '{}'", name));
    return v;
  }

  ir::ValueId addNamed(ir::Value value) {
    const std::string name = value.name;
    const ir::ValueId id = graph_.addValue(std::move(value));
    ids_[name] = id;
    return id;
  }

  // The raw_data the filter kept out of initializer `index` of the model's graph.
  std::string_view rawDataOf(int index) const {
    const auto i = static_cast<size_t>(index);
    return i < filtered_.rawData.size() ? filtered_.rawData[i] : std::string_view();
  }

  void addInitializer(const TensorProto& t, std::string_view raw) {
    const std::string where = fmt::format("{}: initializer '{}'", file_, t.name());
    ir::Value v;
    v.name = t.name();
    v.type = elementTypeOf(t.data_type(), where);
    v.shape.assign(t.dims().begin(), t.dims().end());
    v.isConstant = true;
    const int64_t count = elementCount(t);
    const bool structure = v.type == ir::ElementType::Int || count <= kStructureElements;
    if (tensorHasNoData(t) && raw.empty() && count > 0) {
      if (!graph_.weightsStripped)
        failInput(where, "has dims {} but no data; a stripped model must carry metadata {}={}",
                  ir::shapeToString(v.shape), kStrippedMetadataKey, kStrippedMetadataValue);
    } else if (structure || !options_.shapesOnly) {
      v.data = decodeTensorData(t, path_.parent_path(), where, raw);
    }
    addNamed(std::move(v));
  }

  void addConstantNode(const onnx::NodeProto& n) {
    const std::string where = nodeWhere(n);
    if (n.output_size() != 1) failInput(where, "expected exactly one output");
    ir::Value v;
    v.name = n.output(0);
    v.isConstant = true;
    ir::TensorData data;
    bool found = false;
    for (const auto& a : n.attribute()) {
      found = true;
      if (a.name() == "value") {
        v.type = elementTypeOf(a.t().data_type(), where);
        v.shape.assign(a.t().dims().begin(), a.t().dims().end());
        data = decodeTensorData(a.t(), path_.parent_path(), where);
      } else if (a.name() == "value_float") {
        data.floats = {a.f()};
      } else if (a.name() == "value_floats") {
        data.floats.assign(a.floats().begin(), a.floats().end());
        v.shape = {a.floats_size()};
      } else if (a.name() == "value_int") {
        v.type = ir::ElementType::Int;
        data.ints = {a.i()};
      } else if (a.name() == "value_ints") {
        v.type = ir::ElementType::Int;
        data.ints.assign(a.ints().begin(), a.ints().end());
        v.shape = {a.ints_size()};
      } else {
        failInput(where,
                  "attribute '{}' is not supported; expected value, value_float(s) or "
                  "value_int(s)",
                  a.name());
      }
    }
    if (!found) failInput(where, "has no value attribute");
    v.data = std::move(data);
    addNamed(std::move(v));
  }

  ir::Attributes convertAttributes(const onnx::NodeProto& n) const {
    ir::Attributes attrs;
    for (const auto& a : n.attribute()) {
      switch (a.type()) {
        case onnx::AttributeProto::INT:
          attrs.set(a.name(), a.i());
          break;
        case onnx::AttributeProto::FLOAT:
          attrs.set(a.name(), a.f());
          break;
        case onnx::AttributeProto::STRING:
          attrs.set(a.name(), a.s());
          break;
        case onnx::AttributeProto::INTS:
          attrs.set(a.name(), std::vector<int64_t>(a.ints().begin(), a.ints().end()));
          break;
        case onnx::AttributeProto::FLOATS:
          attrs.set(a.name(), std::vector<float>(a.floats().begin(), a.floats().end()));
          break;
        case onnx::AttributeProto::TENSOR:
          // ConstantOfShape's fill: one element, kept as a float or an int attribute.
          if (n.op_type() == "ConstantOfShape" && a.name() == "value") {
            const ir::TensorData d =
                decodeTensorData(a.t(), path_.parent_path(), nodeWhere(n) + ": attribute 'value'");
            if (d.floats.size() + d.ints.size() != 1)
              failInput(nodeWhere(n), "attribute 'value' holds {} elements; expected 1",
                        d.floats.size() + d.ints.size());
            if (d.ints.empty())
              attrs.set("value", d.floats[0]);
            else
              attrs.set("value", d.ints[0]);
            break;
          }
          [[fallthrough]];
        default:
          failInput(nodeWhere(n), "attribute '{}' has type {}, which xbar does not read", a.name(),
                    onnx::AttributeProto::AttributeType_Name(a.type()));
      }
    }
    return attrs;
  }

  ir::ValueId lookup(const std::string& name, const std::string& where) const {
    auto it = ids_.find(name);
    if (it == ids_.end()) failInput(where, "input '{}' is not produced by any earlier node", name);
    return it->second;
  }

  void buildGraph(const onnx::GraphProto& source, bool lenient) {
    std::unordered_set<std::string> initializerNames;
    const bool original = &source == &model_.graph();
    for (int i = 0; i < source.initializer_size(); ++i) {
      const TensorProto& t = source.initializer(i);
      initializerNames.insert(t.name());
      addInitializer(t, original ? rawDataOf(i) : std::string_view());
    }
    for (const auto& in : source.input()) {
      if (initializerNames.count(in.name())) continue;
      graph_.inputs.push_back(addNamed(typedValue(in.name(), file_ + ": graph input", lenient)));
    }
    for (const auto& n : source.node()) {
      if (n.op_type() == "Constant") {
        addConstantNode(n);
        continue;
      }
      const std::string where = nodeWhere(n);
      ir::Node node;
      node.name = n.name().empty() ? n.output(0) : n.name();
      node.kind = *ir::opKindFromOnnx(n.op_type(), n.domain());
      node.attrs = convertAttributes(n);
      for (const auto& in : n.input())
        node.inputs.push_back(in.empty() ? ir::kNoValue : lookup(in, where));
      for (const auto& out : n.output())
        node.outputs.push_back(out.empty() ? ir::kNoValue
                                           : addNamed(typedValue(out, where, lenient)));
      graph_.addNode(std::move(node));
    }
    for (const auto& out : source.output())
      graph_.outputs.push_back(lookup(out.name(), file_ + ": graph output"));
    spdlog::debug("{}: {} nodes, {} values, opset {}{}{}", file_, graph_.nodes.size(),
                  graph_.values.size(), opset_, graph_.weightsStripped ? ", weights stripped" : "",
                  options_.shapesOnly ? ", shapes only" : "");
  }

  std::filesystem::path path_;
  std::string file_;
  const LoadOptions& options_;
  std::unique_ptr<MappedFile> mapped_;  // outlives model_: raw data points into it
  FilteredModel filtered_;
  ModelProto model_;
  onnx::GraphProto inferred_;
  int64_t opset_ = 0;
  bool weightsStripped_ = false;
  llvm::StringMap<const onnx::TypeProto*> types_;
  llvm::StringMap<ir::ValueId> ids_;
  ir::Graph graph_;
};

}  // namespace

ir::Graph loadOnnx(const std::filesystem::path& path, const LoadOptions& options) {
  return Loader(path, options).run();
}

ir::Graph loadPreparedGraph(const std::filesystem::path& path, const LoadOptions& options) {
  ir::Graph graph = loadOnnx(path, options);
  passes::runStandardPasses(graph);
  return graph;
}

}  // namespace xbar::frontend
