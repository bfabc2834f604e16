#include "inboxes.h"

#include <algorithm>

namespace xbar::sim {

void Inboxes::report(StatsGroup& local, double capacityBytes) const {
  local.set({"peak_inbox", "B", "the most posted, untaken message bytes any core held"},
            *std::max_element(peak_.begin(), peak_.end()));
  local.set({"capacity", "B", "a core's local memory (core.local_memory.size_kib)"}, capacityBytes);
}

}  // namespace xbar::sim
