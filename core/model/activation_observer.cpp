#include "core/model/activation_observer.h"

#include <array>

namespace condense::model {

namespace {

constexpr std::array<WeightRole, 3> kQkv{WeightRole::AttnQ, WeightRole::AttnK, WeightRole::AttnV};
constexpr std::array<WeightRole, 1> kOut{WeightRole::AttnOutput};
constexpr std::array<WeightRole, 2> kGateUp{WeightRole::FfnGate, WeightRole::FfnUp};
constexpr std::array<WeightRole, 1> kDown{WeightRole::FfnDown};
constexpr std::array<WeightRole, 1> kOutput{WeightRole::Output};

} // namespace

std::span<const WeightRole> siteRoles(LinearSite site)
{
    switch (site) {
    case LinearSite::AttnQKV: return kQkv;
    case LinearSite::AttnOut: return kOut;
    case LinearSite::FfnGateUp: return kGateUp;
    case LinearSite::FfnDown: return kDown;
    case LinearSite::Output: return kOutput;
    }
    return {};
}

const char* linearSiteName(LinearSite site)
{
    switch (site) {
    case LinearSite::AttnQKV: return "attn_qkv";
    case LinearSite::AttnOut: return "attn_output";
    case LinearSite::FfnGateUp: return "ffn_gate_up";
    case LinearSite::FfnDown: return "ffn_down";
    case LinearSite::Output: return "output";
    }
    return "";
}

} // namespace condense::model
