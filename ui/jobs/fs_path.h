#pragma once
// Paths between Qt and core: core takes std::filesystem::path in the local 8-bit encoding
// (QFile::encodeName), the window shows QStrings (QFile::decodeName). The one conversion of ui/.
#include <QFile>
#include <QString>

#include <filesystem>
#include <string>

namespace condense::ui {

inline std::filesystem::path toFsPath(const QString& path) { return std::filesystem::path(QFile::encodeName(path).toStdString()); }
inline QString fromFsPath(const std::filesystem::path& path) { return QFile::decodeName(QByteArray::fromStdString(path.string())); }
inline QString fromFsPath(const std::string& path) { return QFile::decodeName(QByteArray::fromStdString(path)); }

} // namespace condense::ui
