#include "ui/i18n/error_text.h"

#include <QFile>
#include <QFileInfo>

namespace condense::ui {

QString ErrorText::codeText(ErrorCode code)
{
    switch (code) {
    case ErrorCode::Ok: return tr("No error.");
    case ErrorCode::Cancelled: return tr("The operation was cancelled.");
    case ErrorCode::NotFound: return tr("The file or folder does not exist.");
    case ErrorCode::IoError: return tr("The file could not be read or written.");
    case ErrorCode::DiskFull: return tr("The disk is full.");
    case ErrorCode::Truncated: return tr("The file ends too early; it may be incomplete (an interrupted download?).");
    case ErrorCode::BadMagic: return tr("The file is not of the kind its name says.");
    case ErrorCode::UnsupportedVersion: return tr("This version of the file format is not supported.");
    case ErrorCode::Malformed: return tr("The file is damaged or not valid.");
    case ErrorCode::OutOfRange: return tr("The file points to data beyond its end.");
    case ErrorCode::Overflow: return tr("The file declares sizes too large to be real.");
    case ErrorCode::UnsupportedType: return tr("The file uses a data type Condense does not know.");
    case ErrorCode::UnsupportedFormat:
        return tr("This is not a model Condense can open. Use a Hugging Face model folder, a .safetensors file or a .gguf file.");
    case ErrorCode::PickleRefused:
        return tr("PyTorch pickle files (.bin, .pt) can run code when they are loaded, so Condense never opens them. Convert the model to safetensors first.");
    case ErrorCode::UnsupportedArchitecture: return tr("This model architecture is not supported yet.");
    case ErrorCode::InvalidArgument: return tr("This cannot be done.");
    case ErrorCode::MissingTensor: return tr("A tensor the model needs is missing.");
    case ErrorCode::MissingTokenizer: return tr("The tokenizer files are missing.");
    }
    return tr("Unknown error.");
}

QString ErrorText::detailLine(const Error& error)
{
    QString code = codeText(error.code);
    if (code.endsWith(QLatin1Char('.'))) code.chop(1);
    QString line = code + QStringLiteral(": ") + QString::fromStdString(error.detail);
    if (!error.file.empty()) line += QStringLiteral(" (") + QFile::decodeName(QByteArray::fromStdString(error.file)) + QLatin1Char(')');
    return line;
}

QString ErrorText::stageText(jobs::Stage stage)
{
    switch (stage) {
    case jobs::Stage::Opening: return tr("Opening");
    case jobs::Stage::Reading: return tr("Reading tensors");
    case jobs::Stage::Converting: return tr("Converting");
    case jobs::Stage::Quantizing: return tr("Quantizing");
    case jobs::Stage::Writing: return tr("Writing");
    case jobs::Stage::Validating: return tr("Checking the written file");
    case jobs::Stage::Analyzing: return tr("Analyzing");
    case jobs::Stage::Evaluating: return tr("Evaluating");
    case jobs::Stage::Measuring: return tr("Measuring speed");
    case jobs::Stage::Generating: return tr("Generating");
    case jobs::Stage::Queued: return tr("Queued");
    case jobs::Stage::Calibrating: return tr("Calibrating");
    }
    return tr("Working");
}

QString ErrorText::formatText(io::CheckpointFormat format)
{
    switch (format) {
    case io::CheckpointFormat::HfFolder: return tr("Hugging Face folder");
    case io::CheckpointFormat::Safetensors: return tr("safetensors file");
    case io::CheckpointFormat::Gguf: return tr("GGUF file");
    }
    return QString();
}

ErrorText::Message ErrorText::openFailed(const Error& error, const QString& requestedPath)
{
    const QString file = error.file.empty() ? requestedPath : QString::fromStdString(error.file);
    QString name = QFileInfo(file).fileName();
    if (name.isEmpty()) name = file;
    Message m;
    m.headline = tr("Could not open “%1”: %2").arg(name, codeText(error.code));
    m.detail = file + QStringLiteral(" — ") + QString::fromStdString(describe(error));
    return m;
}

} // namespace condense::ui
