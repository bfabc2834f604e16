// Node attributes as they came from ONNX: typed values by name, with getters that fail
// clearly when an attribute has the wrong type.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <llvm/ADT/SmallVector.h>

namespace xbar::ir {

using AttributeValue =
    std::variant<int64_t, float, std::string, std::vector<int64_t>, std::vector<float>>;

class Attributes {
 public:
  void set(std::string name, AttributeValue value);
  bool has(const std::string& name) const { return find(name) != nullptr; }

  // Each getter returns the fallback when the attribute is absent and throws InputError
  // (naming `owner`) when it is present with another type.
  int64_t getInt(const std::string& name, int64_t fallback, const std::string& owner) const;
  float getFloat(const std::string& name, float fallback, const std::string& owner) const;
  std::string getString(const std::string& name, const std::string& fallback,
                        const std::string& owner) const;
  std::vector<int64_t> getInts(const std::string& name, std::vector<int64_t> fallback,
                               const std::string& owner) const;

  const auto& entries() const { return entries_; }

 private:
  const AttributeValue* find(const std::string& name) const;
  llvm::SmallVector<std::pair<std::string, AttributeValue>, 4> entries_;
};

}  // namespace xbar::ir
