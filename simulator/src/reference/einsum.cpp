#include "xbar/reference/einsum.h"

#include "tensor_index.h"
#include "xbar/ir/einsum_equation.h"

namespace xbar::reference {

Tensor einsum(const ir::Node& n, const std::vector<const Tensor*>& in,
              const std::vector<int64_t>& out, const std::string& where) {
  std::vector<std::vector<int64_t>> shapes;
  for (const Tensor* t : in) {
    if (t == nullptr) failInput(where, "an omitted Einsum operand");
    shapes.push_back(t->shape);
  }
  const ir::EinsumEquation e =
      ir::parseEinsum(n.attrs.getString("equation", "", where), shapes, where);
  const size_t labels = e.labels.size(), kept = e.output.size();
  if (std::vector<int64_t>(e.extents.begin(), e.extents.begin() + static_cast<long>(kept)) != out)
    failInput(where, "Einsum computes shape {} where the IR's output shape is {}",
              ir::shapeToString({e.extents.begin(), e.extents.begin() + static_cast<long>(kept)}),
              ir::shapeToString(out));
  // Each operand's step per label: its axis stride, 0 where it broadcasts (extent 1) or lacks it.
  std::vector<std::vector<int64_t>> step(in.size(), std::vector<int64_t>(labels, 0));
  for (size_t i = 0; i < in.size(); ++i) {
    const auto strides = detail::stridesOf(in[i]->shape);
    for (size_t k = 0; k < e.inputs[i].size(); ++k)
      if (in[i]->shape[k] != 1) step[i][e.labels.find(e.inputs[i][k])] = strides[k];
  }
  Tensor y = Tensor::filled(out);
  std::vector<int64_t> coord(labels, 0);
  for (float& result : y.data) {
    // The output coordinate is coord[0, kept); sum over the contracted labels after it.
    double sum = 0;
    std::fill(coord.begin() + static_cast<long>(kept), coord.end(), 0);
    for (bool more = true; more;) {
      double product = 1;
      for (size_t i = 0; i < in.size(); ++i) {
        int64_t at = 0;
        for (size_t l = 0; l < labels; ++l) at += coord[l] * step[i][l];
        product *= in[i]->data[static_cast<size_t>(at)];
      }
      sum += product;
      more = false;
      for (size_t l = labels; l-- > kept;) {
        if (++coord[l] < e.extents[l]) {
          more = true;
          break;
        }
        coord[l] = 0;
      }
    }
    result = static_cast<float>(sum);
    for (size_t l = kept; l-- > 0;) {
      if (++coord[l] < e.extents[l]) break;
      coord[l] = 0;
    }
  }
  return y;
}

}  // namespace xbar::reference
