#pragma once
// What a drag carries, judged from the URL alone: the GUI thread does no file I/O, so a name
// without an extension is taken for a folder and the open job (core) has the final word.
#include <QString>

#include <cstdint>

class QMimeData;

namespace condense::ui {

enum class DropKind : std::uint8_t {
    None,        // nothing local to open
    Folder,      // no extension: a model folder
    Gguf,        // .gguf
    Safetensors, // .safetensors
    Pickle,      // .bin .pt .pth .ckpt .pkl: will be refused by core
    Unknown,     // another extension: core sniffs the content
};

struct DroppedPath {
    DropKind kind = DropKind::None;
    QString path;      // the first local path
    int localCount = 0; // local paths in the drag (only the first is opened)
};

DroppedPath classifyDrop(const QMimeData* mime);
DropKind classifyPath(const QString& path);

} // namespace condense::ui
