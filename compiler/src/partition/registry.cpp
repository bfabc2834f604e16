#include <map>

#include <fmt/format.h>

#include "xbar/partition/partitioner.h"
#include "xbar/support/error.h"

namespace xbar::partition {
namespace {

struct Entry {
  std::string description;
  PartitionerFactory factory;
};

// Built on first use, so registrations from other files' static initialisers find it.
std::map<std::string, Entry, std::less<>>& registry() {
  static std::map<std::string, Entry, std::less<>> entries;
  return entries;
}

}  // namespace

bool registerPartitioner(std::string_view name, std::string_view description,
                         PartitionerFactory factory) {
  return registry().emplace(std::string(name), Entry{std::string(description), factory}).second;
}

std::vector<std::string> partitionerNames() {
  std::vector<std::string> names;
  for (const auto& [name, entry] : registry()) names.push_back(name);
  return names;
}

std::string_view partitionerDescription(std::string_view name) {
  const auto it = registry().find(name);
  return it == registry().end() ? std::string_view() : std::string_view(it->second.description);
}

std::unique_ptr<Partitioner> makePartitioner(std::string_view name) {
  const auto it = registry().find(name);
  if (it == registry().end())
    failInput("--partitioner " + std::string(name), "unknown partitioner; expected one of {}",
              fmt::join(partitionerNames(), ", "));
  return it->second.factory();
}

}  // namespace xbar::partition
