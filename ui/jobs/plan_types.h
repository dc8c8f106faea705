#pragma once
// Values the Quantize and Results pages' jobs deliver to the GUI thread (as shared snapshots).
#include <QMetaType>

#include <memory>
#include <vector>

#include "core/pipeline/pipeline_run.h"
#include "core/pipeline/plan_request.h"
#include "core/plan/fit_planner.h"
#include "core/plan/hardware_profile.h"
#include "core/report/run_report.h"

namespace condense::ui {

using ProfileList = std::vector<plan::HardwareProfile>;

// The plan the Quantize page shows: the fit planner's choice, with the user's type edits
// applied (llama-quantize's rules, fallbacks included) and the memory recomputed for them.
struct PlanView {
    plan::FitResult fit;
    plan::QuantPlan plan;         // fit.plan with the edits
    plan::MemoryBreakdown device; // chosen.device with the edited weights
    plan::MemoryBreakdown host;
    bool fits = false;
    std::vector<Message> editWarnings; // edits that could not be applied as asked
};

// One finished run, for the Results page: its report and where it lives.
struct RunResult {
    report::RunReport report;
    std::filesystem::path reportPath;
    std::filesystem::path runsFolder; // the folder whose run index holds the model's other runs
    // What the fit planner predicted for the profile's machine (runs started from a profile).
    std::string profileName;
    double predictedTg = 0, predictedPp = 0;
};

// The runs of one model, oldest first.
struct RunHistory {
    std::string model;
    std::vector<report::RunIndexEntry> runs;
};

} // namespace condense::ui

Q_DECLARE_METATYPE(std::shared_ptr<const condense::ui::ProfileList>)
Q_DECLARE_METATYPE(std::shared_ptr<const condense::pipeline::PlanModel>)
Q_DECLARE_METATYPE(std::shared_ptr<const condense::ui::PlanView>)
Q_DECLARE_METATYPE(std::shared_ptr<const condense::ui::RunResult>)
Q_DECLARE_METATYPE(std::shared_ptr<const condense::ui::RunHistory>)
