// The actions table (arch/actions.h): every action is priced by the arch keys it names, and
// energy is count x price per action. A row whose key did not exist, or whose price ignored
// its key, would price that action wrongly without a warning.
#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "xbar/arch/actions.h"
#include "xbar/arch/arch_loader.h"
#include "xbar/arch/arch_schema.h"

namespace xbar::arch {
namespace {

ArchConfig preset(const std::string& name) {
  return loadArch(resolveArchPath(name, XBAR_ARCH_DIR));
}

TEST(Actions, EveryPriceKeyIsInTheSchemaAndChangesThePrice) {
  const ArchConfig base = preset("isaac-reram");
  for (const ActionInfo& a : kActions) {
    std::istringstream keys{std::string(a.priceKey)};
    for (std::string key; std::getline(keys >> std::ws, key, ',');) {
      const FieldSpec* field = findField(key);
      ASSERT_NE(field, nullptr) << a.count << ": price key '" << key << "' is not in the schema";
      ArchConfig changed = base;
      const FieldValue v = field->read(base);
      field->assign(changed, std::holds_alternative<double>(v)
                                 ? FieldValue(std::get<double>(v) * 2 + 1)
                                 : FieldValue(std::get<int64_t>(v) * 2 + 1));
      EXPECT_NE(a.price(changed), a.price(base)) << a.count << " ignores " << key;
    }
  }
}

TEST(Actions, EnergyIsCountTimesPricePerAction) {
  const ArchConfig arch = preset("compass-sram-m");
  ActionCounts counts;
  for (size_t i = 0; i < kActionCount; ++i) counts.count[i] = static_cast<double>(i + 1) * 1000;
  const EnergyBreakdown e = energyOf(counts, arch);
  double total = 0;
  for (const ActionInfo& a : kActions) {
    EXPECT_EQ(e[a.action], counts[a.action] * a.price(arch)) << a.count;
    total += e[a.action];
  }
  EXPECT_EQ(e.total(), total);
  // Names are unique: they key statistics, plans and CSV columns.
  for (size_t i = 0; i < kActionCount; ++i)
    for (size_t j = i + 1; j < kActionCount; ++j) {
      EXPECT_NE(kActions[i].energy, kActions[j].energy);
      EXPECT_NE(kActions[i].count, kActions[j].count);
    }
  for (size_t i = 0; i < kActionCount; ++i)
    EXPECT_EQ(static_cast<size_t>(kActions[i].action), i) << "the table is indexed by action";
}

}  // namespace
}  // namespace xbar::arch
