#pragma once
// Finding the bundled demo model (resources/demo, a copy of tiny-llama-spm).
//   installed:   <prefix>/bin/condense   -> <prefix>/share/condense/demo
//   build tree:  any build folder        -> <source tree>/resources/demo (compiled in)
// The candidates are pure path arithmetic; whether one exists is found out by the open job
// (core), so the GUI thread never touches the file system.
#include <QString>
#include <QStringList>

#include <memory>
#include <stop_token>

#include "core/common/result.h"

namespace condense::io {
class Checkpoint;
}
namespace condense::jobs {
class ProgressSink;
}

namespace condense::ui {

// The demo model's name (its folder is called "demo").
QString demoModelName();
// Whether `path` is one of the demo model's locations (string comparison only).
bool isDemoModelPath(const QString& path, const QString& applicationDir);

// Most specific first.
QStringList demoModelCandidates(const QString& applicationDir);

// Job body: opens the first candidate that exists; NotFound naming all of them otherwise.
Result<std::shared_ptr<const io::Checkpoint>> openDemoModel(const QStringList& candidates, jobs::ProgressSink& progress,
                                                            std::stop_token stop);

} // namespace condense::ui
