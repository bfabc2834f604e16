#include "xbar/reference/float_kernels.h"

#include <algorithm>

#include <Eigen/Core>
#include <oneapi/dnnl/dnnl.hpp>

#include "xbar/reference/window.h"
#include "xbar/support/error.h"

namespace xbar::reference {
namespace {

using Dims = dnnl::memory::dims;
using Tag = dnnl::memory::format_tag;
using Shape = std::vector<int64_t>;
using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// oneDNN counts dilation from 0.
Dims dnnlDilation(const Window& w) {
  Dims d;
  for (int64_t v : w.dilations) d.push_back(v - 1);
  return d;
}

Tag activationTag(size_t rank, const std::string& where) {
  switch (rank) {
    case 3:
      return Tag::ncw;
    case 4:
      return Tag::nchw;
    case 5:
      return Tag::ncdhw;
    default:
      failInput(where, "rank-{} input: convolution and pooling take 1-3 spatial dims", rank);
  }
}

// A convolution's node, its name for messages, input, weight, bias (nullptr: none) and output
// shape.
struct ConvCall {
  const ir::Node& n;
  std::string where;
  const Tensor& x;
  const Tensor& w;
  const Tensor* b;
  const Shape& outShape;
};
ConvCall convCall(const ir::Graph& graph, ir::NodeId id, const std::vector<const Tensor*>& in) {
  const ir::Node& n = graph.node(id);
  return {n,
          graph.describe(id),
          *in[0],
          *in[1],
          in.size() > 2 ? in[2] : nullptr,
          graph.value(n.outputs[0]).shape};
}

Tag weightTag(size_t rank, bool grouped) {
  if (rank == 3) return grouped ? Tag::goiw : Tag::oiw;
  if (rank == 4) return grouped ? Tag::goihw : Tag::oihw;
  return grouped ? Tag::goidhw : Tag::oidhw;
}

}  // namespace

struct FloatKernels::OneDnn {
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
  // A convolution or deconvolution primitive with its operands' memory.
  struct Conv {
    dnnl::primitive primitive;
    dnnl::memory::desc src, weights, bias, dst;
    bool hasBias = false;
  };
  struct Pool {
    dnnl::pooling_v2_forward primitive;
    dnnl::memory::desc src, dst, workspace;
  };
  std::map<ir::NodeId, Conv> convs, deconvs;
  // Runs a cached convolution or deconvolution on x, w and b (nullptr: none) into a tensor of
  // `outShape`.
  Tensor run(const Conv& md, const std::string& where, const Tensor& x, const Tensor& w,
             const Tensor* b, const Shape& outShape) {
    if (md.hasBias != (b != nullptr)) failInput(where, "the bias input changed between runs");
    Tensor y = Tensor::filled(outShape);
    // oneDNN reads the inputs through these handles and does not write them.
    auto wrap = [&](const dnnl::memory::desc& d, const float* ptr) {
      return dnnl::memory(d, engine, const_cast<float*>(ptr));
    };
    std::unordered_map<int, dnnl::memory> args{{DNNL_ARG_SRC, wrap(md.src, x.data.data())},
                                               {DNNL_ARG_WEIGHTS, wrap(md.weights, w.data.data())},
                                               {DNNL_ARG_DST, wrap(md.dst, y.data.data())}};
    if (b != nullptr) args.emplace(DNNL_ARG_BIAS, wrap(md.bias, b->data.data()));
    md.primitive.execute(stream, args);
    stream.wait();
    return y;
  }
  std::map<ir::NodeId, Pool> pools;
};

FloatKernels::FloatKernels() : dnn_(std::make_unique<OneDnn>()) {}
FloatKernels::~FloatKernels() = default;

Tensor FloatKernels::evaluate(const ir::Graph& graph, ir::NodeId id,
                              const std::vector<const Tensor*>& in) {
  const std::string where = graph.describe(id);
  for (size_t k = 0; k < std::min<size_t>(in.size(), 2); ++k)
    if (in[k] == nullptr) failInput(where, "input {} is missing", k);
  switch (graph.node(id).kind) {
    case ir::OpKind::Conv:
      return convolution(graph, id, in);
    case ir::OpKind::ConvTranspose:
      return deconvolution(graph, id, in);
    case ir::OpKind::MaxPool:
    case ir::OpKind::AveragePool:
    case ir::OpKind::GlobalAveragePool:
      return pooling(graph, id, *in[0]);
    case ir::OpKind::Gemm:
      return gemm(graph, id, in);
    case ir::OpKind::MatMul:
      if (in.size() < 2) failInput(where, "MatMul needs two inputs");
      return matmul(graph, id, *in[0], *in[1]);
    default:
      failInput(where, "is not a library kernel's op");
  }
}

Tensor FloatKernels::convolution(const ir::Graph& graph, ir::NodeId id,
                                 const std::vector<const Tensor*>& in) {
  const auto [n, where, x, w, b, outShape] = convCall(graph, id, in);
  auto found = dnn_->convs.find(id);
  if (found == dnn_->convs.end()) {
    const int64_t groups = n.attrs.getInt("group", 1, where);
    if (w.shape.size() != x.shape.size() || groups < 1 || w.shape[0] % groups != 0)
      failInput(where, "weights of shape {} for an input of shape {} in {} groups",
                ir::shapeToString(w.shape), ir::shapeToString(x.shape), groups);
    const Window win =
        windowOf(n, x.shape, outShape, Shape(w.shape.begin() + 2, w.shape.end()), where);
    Dims wDims = w.shape;
    if (groups > 1) {
      wDims[0] /= groups;
      wDims.insert(wDims.begin(), groups);
    }
    OneDnn::Conv c;
    const Tag act = activationTag(x.shape.size(), where);
    c.src = dnnl::memory::desc(x.shape, dnnl::memory::data_type::f32, act);
    c.dst = dnnl::memory::desc(outShape, dnnl::memory::data_type::f32, act);
    c.weights = dnnl::memory::desc(wDims, dnnl::memory::data_type::f32,
                                   weightTag(x.shape.size(), groups > 1));
    c.hasBias = b != nullptr;
    if (c.hasBias) c.bias = dnnl::memory::desc({w.shape[0]}, dnnl::memory::data_type::f32, Tag::a);
    const auto desc =
        c.hasBias
            ? dnnl::convolution_forward::desc(dnnl::prop_kind::forward_inference,
                                              dnnl::algorithm::convolution_direct, c.src, c.weights,
                                              c.bias, c.dst, win.strides, dnnlDilation(win),
                                              win.padBegin, win.padEnd)
            : dnnl::convolution_forward::desc(
                  dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct, c.src,
                  c.weights, c.dst, win.strides, dnnlDilation(win), win.padBegin, win.padEnd);
    c.primitive =
        dnnl::convolution_forward(dnnl::convolution_forward::primitive_desc(desc, dnn_->engine));
    found = dnn_->convs.emplace(id, std::move(c)).first;
  }
  return dnn_->run(found->second, where, x, w, b, outShape);
}

// ConvTranspose as oneDNN's deconvolution. ONNX's weight (Cin, Cout / groups, kernel...) is
// oneDNN's (groups,) Cout / groups, Cin / groups, kernel in i-o order; output_padding extends the
// high end, which oneDNN takes as that much less padding there (verify_shapes checked the sizes).
Tensor FloatKernels::deconvolution(const ir::Graph& graph, ir::NodeId id,
                                   const std::vector<const Tensor*>& in) {
  const auto [n, where, x, w, b, outShape] = convCall(graph, id, in);
  auto found = dnn_->deconvs.find(id);
  if (found == dnn_->deconvs.end()) {
    const size_t rank = x.shape.size(), spatial = rank - 2;
    const int64_t groups = n.attrs.getInt("group", 1, where);
    const Shape strides = n.attrs.getInts("strides", Shape(spatial, 1), where);
    const Shape dilations = n.attrs.getInts("dilations", Shape(spatial, 1), where);
    const Shape pads = n.attrs.getInts("pads", Shape(2 * spatial, 0), where);
    const Shape extra = n.attrs.getInts("output_padding", Shape(spatial, 0), where);
    Dims dilate, padLow, padHigh;
    for (size_t d = 0; d < spatial; ++d) {
      dilate.push_back(dilations[d] - 1);
      padLow.push_back(pads[d]);
      padHigh.push_back(pads[d + spatial] - extra[d]);
    }
    Dims wDims{w.shape[1] * groups, w.shape[0]};  // outputs x inputs, then the kernel
    wDims.insert(wDims.end(), w.shape.begin() + 2, w.shape.end());
    Tag wTag = rank == 3 ? Tag::bac : rank == 4 ? Tag::bacd : Tag::bacde;
    if (groups > 1) {
      wDims = {groups, w.shape[1], w.shape[0] / groups};
      wDims.insert(wDims.end(), w.shape.begin() + 2, w.shape.end());
      wTag = rank == 3 ? Tag::acbd : rank == 4 ? Tag::acbde : Tag::acbdef;
    }
    OneDnn::Conv c;
    const Tag act = activationTag(rank, where);
    c.src = dnnl::memory::desc(x.shape, dnnl::memory::data_type::f32, act);
    c.dst = dnnl::memory::desc(outShape, dnnl::memory::data_type::f32, act);
    c.weights = dnnl::memory::desc(wDims, dnnl::memory::data_type::f32, wTag);
    c.hasBias = b != nullptr;
    if (c.hasBias) c.bias = dnnl::memory::desc({outShape[1]}, dnnl::memory::data_type::f32, Tag::a);
    using D = dnnl::deconvolution_forward;
    const auto desc =
        c.hasBias
            ? D::desc(dnnl::prop_kind::forward_inference, dnnl::algorithm::deconvolution_direct,
                      c.src, c.weights, c.bias, c.dst, strides, dilate, padLow, padHigh)
            : D::desc(dnnl::prop_kind::forward_inference, dnnl::algorithm::deconvolution_direct,
                      c.src, c.weights, c.dst, strides, dilate, padLow, padHigh);
    c.primitive = D(D::primitive_desc(desc, dnn_->engine));
    found = dnn_->deconvs.emplace(id, std::move(c)).first;
  }
  return dnn_->run(found->second, where, x, w, b, outShape);
}

Tensor FloatKernels::pooling(const ir::Graph& graph, ir::NodeId id, const Tensor& x) {
  const ir::Node& n = graph.node(id);
  const std::string where = graph.describe(id);
  const Shape& outShape = graph.value(n.outputs[0]).shape;
  auto found = dnn_->pools.find(id);
  if (found == dnn_->pools.end()) {
    if (x.shape.size() < 3)
      failInput(where, "pooling needs spatial dims, got {}", ir::shapeToString(x.shape));
    const bool global = n.kind == ir::OpKind::GlobalAveragePool;
    const Shape kernel = global ? Shape(x.shape.begin() + 2, x.shape.end())
                                : n.attrs.getInts("kernel_shape", {}, where);
    const Window win = global ? Window{Dims(kernel.size(), 1), kernel, Dims(kernel.size(), 1),
                                       Dims(kernel.size(), 0), Dims(kernel.size(), 0)}
                              : windowOf(n, x.shape, outShape, kernel, where);
    dnnl::algorithm algo = dnnl::algorithm::pooling_max;
    if (n.kind != ir::OpKind::MaxPool)
      algo = n.attrs.getInt("count_include_pad", 0, where) != 0
                 ? dnnl::algorithm::pooling_avg_include_padding
                 : dnnl::algorithm::pooling_avg_exclude_padding;
    OneDnn::Pool p;
    const Tag act = activationTag(x.shape.size(), where);
    p.src = dnnl::memory::desc(x.shape, dnnl::memory::data_type::f32, act);
    p.dst = dnnl::memory::desc(outShape, dnnl::memory::data_type::f32, act);
    const dnnl::pooling_v2_forward::desc desc(dnnl::prop_kind::forward_inference, algo, p.src,
                                              p.dst, win.strides, win.kernel, dnnlDilation(win),
                                              win.padBegin, win.padEnd);
    const dnnl::pooling_v2_forward::primitive_desc pd(desc, dnn_->engine);
    p.workspace = pd.workspace_desc();
    p.primitive = dnnl::pooling_v2_forward(pd);
    found = dnn_->pools.emplace(id, std::move(p)).first;
  }
  OneDnn::Pool& p = found->second;
  Tensor y = Tensor::filled(outShape);
  std::unordered_map<int, dnnl::memory> args{
      {DNNL_ARG_SRC, dnnl::memory(p.src, dnn_->engine, const_cast<float*>(x.data.data()))},
      {DNNL_ARG_DST, dnnl::memory(p.dst, dnn_->engine, y.data.data())}};
  if (p.workspace.get_size() > 0)
    args.emplace(DNNL_ARG_WORKSPACE, dnnl::memory(p.workspace, dnn_->engine));
  p.primitive.execute(dnn_->stream, args);
  dnn_->stream.wait();
  return y;
}

Tensor gemm(const ir::Graph& graph, ir::NodeId id, const std::vector<const Tensor*>& in) {
  const ir::Node& n = graph.node(id);
  const std::string where = graph.describe(id);
  const Tensor& a = *in[0];
  const Tensor& b = *in[1];
  if (a.shape.size() != 2 || b.shape.size() != 2)
    failInput(where, "Gemm takes 2-D operands, got {} and {}", ir::shapeToString(a.shape),
              ir::shapeToString(b.shape));
  const bool ta = n.attrs.getInt("transA", 0, where) != 0;
  const bool tb = n.attrs.getInt("transB", 0, where) != 0;
  const float alpha = n.attrs.getFloat("alpha", 1.0F, where);
  const float beta = n.attrs.getFloat("beta", 1.0F, where);
  const Eigen::Map<const RowMajor> ma(a.data.data(), a.shape[0], a.shape[1]);
  const Eigen::Map<const RowMajor> mb(b.data.data(), b.shape[0], b.shape[1]);
  RowMajor product =
      ta ? (tb ? RowMajor(ma.transpose() * mb.transpose()) : RowMajor(ma.transpose() * mb))
         : (tb ? RowMajor(ma * mb.transpose()) : RowMajor(ma * mb));
  const Shape& outShape = graph.value(n.outputs[0]).shape;
  if (outShape != Shape{product.rows(), product.cols()})
    failInput(where, "Gemm of {} and {} is not the IR's {}", ir::shapeToString(a.shape),
              ir::shapeToString(b.shape), ir::shapeToString(outShape));
  Tensor y(outShape, std::vector<float>(product.data(), product.data() + product.size()));
  for (float& v : y.data) v *= alpha;
  const Tensor* c = in.size() > 2 ? in[2] : nullptr;
  if (c != nullptr && beta != 0.0F) {
    // C broadcasts unidirectionally: (N), (1, N), (M, 1), (M, N) or a scalar.
    const int64_t rows = c->shape.size() == 2 ? c->shape[0] : 1;
    const int64_t cols = c->shape.empty() ? 1 : c->shape.back();
    if ((rows != 1 && rows != outShape[0]) || (cols != 1 && cols != outShape[1]) ||
        c->elementCount() != rows * cols)
      failInput(where, "C of shape {} does not broadcast to {}", ir::shapeToString(c->shape),
                ir::shapeToString(outShape));
    for (int64_t i = 0; i < outShape[0]; ++i)
      for (int64_t j = 0; j < outShape[1]; ++j)
        y.data[static_cast<size_t>(i * outShape[1] + j)] +=
            beta * c->data[static_cast<size_t>((rows == 1 ? 0 : i) * cols + (cols == 1 ? 0 : j))];
  }
  return y;
}

Tensor matmul(const ir::Graph& graph, ir::NodeId id, const Tensor& a, const Tensor& b) {
  const std::string where = graph.describe(id);
  const Shape& outShape = graph.value(graph.node(id).outputs[0]).shape;
  // numpy's promotions: a 1-D left operand is a row, a 1-D right operand a column.
  Shape sa = a.shape, sb = b.shape;
  if (sa.empty() || sb.empty()) failInput(where, "MatMul of a scalar");
  if (sa.size() == 1) sa.insert(sa.begin(), 1);
  if (sb.size() == 1) sb.push_back(1);
  const int64_t m = sa[sa.size() - 2], k = sa.back(), nCols = sb.back();
  if (sb[sb.size() - 2] != k)
    failInput(where, "MatMul of {} and {}: inner dimensions differ", ir::shapeToString(a.shape),
              ir::shapeToString(b.shape));
  const size_t batchRank = std::max(sa.size(), sb.size()) - 2;
  Shape batch(batchRank, 1);
  auto batchOf = [&](const Shape& s) {
    Shape bs(batchRank, 1);
    std::copy(s.begin(), s.end() - 2, bs.end() - static_cast<int64_t>(s.size() - 2));
    return bs;
  };
  const Shape ba = batchOf(sa), bb = batchOf(sb);
  for (size_t i = 0; i < batchRank; ++i) {
    if (ba[i] != bb[i] && ba[i] != 1 && bb[i] != 1)
      failInput(where, "MatMul batch dims of {} and {} do not broadcast",
                ir::shapeToString(a.shape), ir::shapeToString(b.shape));
    batch[i] = std::max(ba[i], bb[i]);
  }
  const int64_t batches = elementCountOf(batch);
  if (batches * m * nCols != elementCountOf(outShape))
    failInput(where, "MatMul result does not fill the IR's shape {}", ir::shapeToString(outShape));
  Tensor y = Tensor::filled(outShape);
  for (int64_t t = 0; t < batches; ++t) {
    int64_t ia = 0, ib = 0, rest = t;
    int64_t strideA = 1, strideB = 1;
    for (size_t i = batchRank; i-- > 0;) {
      const int64_t coord = rest % batch[i];
      rest /= batch[i];
      ia += (ba[i] == 1 ? 0 : coord) * strideA;
      ib += (bb[i] == 1 ? 0 : coord) * strideB;
      strideA *= ba[i];
      strideB *= bb[i];
    }
    const Eigen::Map<const RowMajor> ma(a.data.data() + ia * m * k, m, k);
    const Eigen::Map<const RowMajor> mb(b.data.data() + ib * k * nCols, k, nCols);
    Eigen::Map<RowMajor>(y.data.data() + t * m * nCols, m, nCols).noalias() = ma * mb;
  }
  return y;
}

}  // namespace xbar::reference
