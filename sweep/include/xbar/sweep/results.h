// A sweep's results directory: the journal of finished points (one JSON line each, appended
// with fsync, so a killed sweep knows what it finished), and results.csv / results.jsonl,
// one row and one record per point, rewritten from the point files.
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "xbar/sweep/sweep_spec.h"

namespace xbar::sweep {

// A point's swept parameters, as its record and its CSV row name them.
nlohmann::json pointParameters(const SweepPoint& point);

struct JournalEntry {
  std::string status;  // done, failed
  std::string error;
  int rank = 0;  // the MPI rank that ran it (0 when serial)
};

class Journal {
 public:
  // Reads DIR/journal.jsonl and rewrites it with its complete entries only, so a line torn by
  // a kill is gone before new entries are appended.
  explicit Journal(const std::filesystem::path& path);

  bool contains(const std::string& id) const { return entries_.count(id) != 0; }
  const std::map<std::string, JournalEntry>& entries() const { return entries_; }
  void append(const std::string& id, const JournalEntry& entry);

 private:
  std::filesystem::path path_;
  std::map<std::string, JournalEntry> entries_;
};

// Writes DIR/results.csv and DIR/results.jsonl for the journaled points, in point order.
void writeResults(const std::filesystem::path& dir, const SweepSpec& spec, const Journal& journal);

}  // namespace xbar::sweep
