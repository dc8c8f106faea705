#pragma once
// InspectRequest -> runInspect: what a file or folder holds (format, architecture, tensors),
// headers only. The CLI's `inspect` prints it; the GUI's model loader shows it.

#include <filesystem>
#include <memory>
#include <stop_token>

#include "core/common/result.h"
#include "core/io/checkpoint.h"
#include "core/jobs/progress.h"

namespace condense::pipeline {

struct InspectRequest {
    std::filesystem::path path;
};

struct InspectOutcome {
    std::shared_ptr<const io::Checkpoint> checkpoint; // read-only view, bytes mapped lazily
};

Result<InspectOutcome> runInspect(const InspectRequest& request, jobs::ProgressSink& progress, std::stop_token stop = {});

} // namespace condense::pipeline
