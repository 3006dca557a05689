// The layer fields whose fitted ranges a prediction checks, in one fixed order per type, so a model keeps its ranges
// as a table the check indexes (TypeModel::range_table) instead of looking each field up by name.
#pragma once

#include <cstddef>

namespace layer_energy::analysis {

constexpr std::size_t kConvRangeFields = 11;
constexpr const char* kConvRangeField[kConvRangeFields] = {"macs", "N", "C",      "H",   "W",     "K",
                                                           "R",    "S", "stride", "pad", "groups"};
constexpr std::size_t kFcRangeFields = 4;
constexpr const char* kFcRangeField[kFcRangeFields] = {"macs", "N", "in", "out"};
constexpr std::size_t kMaxRangeFields = kConvRangeFields;

}  // namespace layer_energy::analysis
