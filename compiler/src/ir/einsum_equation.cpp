#include "xbar/ir/einsum_equation.h"

#include <algorithm>

#include "xbar/support/error.h"

namespace xbar::ir {

double EinsumEquation::macs() const {
  double product = 1;
  for (int64_t e : extents) product *= static_cast<double>(e);
  return product;
}

EinsumEquation parseEinsum(const std::string& equation,
                           const std::vector<std::vector<int64_t>>& shapes,
                           const std::string& where) {
  std::string text;
  for (char c : equation)
    if (c != ' ') text += c;
  if (text.find("...") != std::string::npos)
    failInput(where, "Einsum equation '{}' has an ellipsis; expected one label per axis", equation);
  const size_t arrow = text.find("->");
  if (arrow == std::string::npos)
    failInput(where, "Einsum equation '{}' has no '->'; expected an explicit output", equation);
  EinsumEquation e;
  e.output = text.substr(arrow + 2);
  const std::string lhs = text.substr(0, arrow);
  for (size_t start = 0;;) {
    const size_t comma = lhs.find(',', start);
    e.inputs.push_back(lhs.substr(start, comma == std::string::npos ? comma : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (e.inputs.size() != shapes.size())
    failInput(where, "Einsum equation '{}' names {} operands; the node has {}", equation,
              e.inputs.size(), shapes.size());
  e.labels = e.output;
  for (const std::string& in : e.inputs)
    for (char c : in)
      if (e.labels.find(c) == std::string::npos) e.labels += c;
  e.extents.assign(e.labels.size(), -1);
  for (size_t i = 0; i < e.inputs.size(); ++i) {
    const std::string& in = e.inputs[i];
    if (in.size() != shapes[i].size())
      failInput(where, "Einsum operand {} has {} labels ('{}') for a rank-{} tensor", i, in.size(),
                in, shapes[i].size());
    for (size_t k = 0; k < in.size(); ++k) {
      if (!std::isalpha(static_cast<unsigned char>(in[k])))
        failInput(where, "Einsum label '{}' in '{}'; expected letters", in[k], equation);
      if (in.find(in[k]) != k)
        failInput(where, "Einsum operand '{}' repeats label '{}' (a diagonal); not supported", in,
                  in[k]);
      int64_t& extent = e.extents[e.labels.find(in[k])];
      const int64_t d = shapes[i][k];
      if (extent >= 0 && extent != d && extent != 1 && d != 1)
        failInput(where, "Einsum label '{}' is {} in one operand and {} in another", in[k], extent,
                  d);
      extent = std::max(extent, d);
    }
  }
  for (size_t k = 0; k < e.output.size(); ++k) {
    const char c = e.output[k];
    if (e.output.find(c) != k || e.extents[k] < 0)
      failInput(where, "Einsum output label '{}' is repeated or in no operand", c);
  }
  return e;
}

}  // namespace xbar::ir
