#include "core/pipeline/inspect_request.h"

namespace condense::pipeline {

Result<InspectOutcome> runInspect(const InspectRequest& r, jobs::ProgressSink& progress, std::stop_token stop)
{
    auto ck = io::openCheckpoint(r.path, progress, stop);
    if (!ck) return std::move(ck).error();
    return InspectOutcome{std::move(*ck)};
}

} // namespace condense::pipeline
