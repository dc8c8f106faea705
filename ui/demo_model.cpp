#include "ui/demo_model.h"

#include <QDir>
#include <QFile>

#include "core/io/checkpoint.h"
#include "core/pipeline/inspect_request.h"

#ifndef CONDENSE_DEMO_SOURCE_DIR
#error "CONDENSE_DEMO_SOURCE_DIR must name resources/demo of the source tree"
#endif

namespace condense::ui {

QString demoModelName() { return QStringLiteral("tiny-llama-spm"); }

bool isDemoModelPath(const QString& path, const QString& applicationDir)
{
    return demoModelCandidates(applicationDir).contains(QDir::cleanPath(path));
}

QStringList demoModelCandidates(const QString& applicationDir)
{
    QStringList c;
    if (!applicationDir.isEmpty()) c << QDir::cleanPath(applicationDir + QStringLiteral("/../share/condense/demo"));
    const QString source = QDir::cleanPath(QString::fromUtf8(CONDENSE_DEMO_SOURCE_DIR));
    if (!c.contains(source)) c << source;
    return c;
}

Result<std::shared_ptr<const io::Checkpoint>> openDemoModel(const QStringList& candidates, jobs::ProgressSink& progress,
                                                            std::stop_token stop)
{
    std::string searched;
    for (const QString& candidate : candidates) {
        const std::filesystem::path path(QFile::encodeName(candidate).toStdString());
        auto r = pipeline::runInspect({path}, progress, stop);
        if (r.ok()) return std::move(r->checkpoint);
        if (r.error().code != ErrorCode::NotFound || r.error().file != path.string()) return r.error();
        if (!searched.empty()) searched += ", ";
        searched += path.string();
    }
    return makeError(ErrorCode::NotFound, "demo", "the demo model is in none of: " + searched);
}

} // namespace condense::ui
