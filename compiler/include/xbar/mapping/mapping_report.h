// The mapping as people and programs read it: a text table and JSON.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "xbar/mapping/mapping.h"

namespace xbar::mapping {

// One row per matrix layer (name, op, K x N, weight bytes, crossbars, units, utilisation)
// and the totals (weight MiB, crossbars needed vs on chip, fits or not).
std::string formatMappingTable(const Mapping& mapping);

// "binary: N of M layers with 1-bit weights ...", or empty for a network without binary layers.
std::string binaryLayersLine(const Mapping& mapping);

// "ADC: N of M used columns can clip at B bits (...)", or empty when none can.
std::string adcClippingLine(const Mapping& mapping);

nlohmann::json mappingToJson(const Mapping& mapping);

}  // namespace xbar::mapping
