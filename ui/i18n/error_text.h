#pragma once
// The single place that turns core's codes (ErrorCode, Stage, CheckpointFormat) into
// translated text. Core only hands over codes plus technical context (file, detail, tensor,
// offset); the sentences users read are written here, through tr().
#include <QCoreApplication>
#include <QString>

#include "core/common/result.h"
#include "core/io/checkpoint.h"
#include "core/jobs/progress.h"

namespace condense::ui {

class ErrorText {
    Q_DECLARE_TR_FUNCTIONS(condense::ui::ErrorText)
public:
    struct Message {
        QString headline; // "Could not open “model.bin”: <what is wrong, in words>"
        QString detail;   // full path and core's technical detail (not translated)
    };

    // One sentence explaining the code (and what to do about it, when there is something to do).
    static QString codeText(ErrorCode code);
    // One line for a banner's detail: the code's text, the detail, and the file when there is one
    // ("The file is malformed: line 3: ... (/path/x.jsonl)").
    static QString detailLine(const Error& error);
    // "Opening", "Reading tensors", ...
    static QString stageText(jobs::Stage stage);
    static QString formatText(io::CheckpointFormat format);

    // For a failed open of `requestedPath`: names the file the problem is in (core's
    // Error::file when set, else the requested path).
    static Message openFailed(const Error& error, const QString& requestedPath);
};

} // namespace condense::ui
