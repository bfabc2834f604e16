#include "xbar/ir/attributes.h"

#include "xbar/support/error.h"

namespace xbar::ir {

void Attributes::set(std::string name, AttributeValue value) {
  for (auto& [key, existing] : entries_) {
    if (key == name) {
      existing = std::move(value);
      return;
    }
  }
  entries_.emplace_back(std::move(name), std::move(value));
}

const AttributeValue* Attributes::find(const std::string& name) const {
  for (const auto& [key, value] : entries_)
    if (key == name) return &value;
  return nullptr;
}

namespace {
template <typename T>
T get(const AttributeValue* value, T fallback, const std::string& name, const std::string& owner,
      const char* expected) {
  if (value == nullptr) return fallback;
  if (const T* typed = std::get_if<T>(value)) return *typed;
  failInput(owner, "attribute '{}' should be {}", name, expected);
}
}  // namespace

int64_t Attributes::getInt(const std::string& name, int64_t fallback,
                           const std::string& owner) const {
  return get<int64_t>(find(name), fallback, name, owner, "an integer");
}

float Attributes::getFloat(const std::string& name, float fallback,
                           const std::string& owner) const {
  return get<float>(find(name), fallback, name, owner, "a float");
}

std::string Attributes::getString(const std::string& name, const std::string& fallback,
                                  const std::string& owner) const {
  return get<std::string>(find(name), fallback, name, owner, "a string");
}

std::vector<int64_t> Attributes::getInts(const std::string& name, std::vector<int64_t> fallback,
                                         const std::string& owner) const {
  return get<std::vector<int64_t>>(find(name), std::move(fallback), name, owner,
                                   "a list of integers");
}

}  // namespace xbar::ir
