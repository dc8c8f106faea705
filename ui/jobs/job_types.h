#pragma once
// Plain values that travel from a job to the GUI: a job's id and a progress snapshot.
// They carry data only; ui/i18n turns the stage into words.
#include <QMetaType>
#include <QString>

#include <memory>

#include "core/common/result.h"
#include "core/jobs/progress.h"

namespace condense::io {
class Checkpoint;
}

namespace condense::ui {

using JobId = quint64;

struct JobProgress {
    jobs::Stage stage = jobs::Stage::Opening;
    quint64 done = 0;
    quint64 total = 0;
    QString item;          // what is being worked on (a file or tensor name), may be empty
    qint64 elapsedMs = 0;  // since the job started, measured on the worker
    // The job-wide fraction (0..1) and remaining time core computes over all of the job's
    // passes (jobs::WeightedProgress); -1 when the job does not report them.
    double overall = -1.0;
    qint64 etaMs = -1;

    // The stage's share done, 0..1, or -1 when the total is unknown.
    double stageFraction() const
    {
        if (total == 0) return -1.0;
        return done >= total ? 1.0 : static_cast<double>(done) / static_cast<double>(total);
    }
    // What a progress bar shows: the job-wide fraction when core gives one, else the stage's.
    double fraction() const { return overall >= 0 ? overall : stageFraction(); }
};

} // namespace condense::ui

Q_DECLARE_METATYPE(condense::ui::JobProgress)
Q_DECLARE_METATYPE(condense::Error)
// What an open-model job delivers in JobRunner::finished.
Q_DECLARE_METATYPE(std::shared_ptr<const condense::io::Checkpoint>)
