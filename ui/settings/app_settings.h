#pragma once
// AppSettings: the typed face of QSettings. Every key lives in app_settings.cpp, every default
// in a getter. A settings version is stored; migrate() steps old files forward one version at
// a time. Core never reads settings: the UI passes plain config structs down.
#include <QByteArray>
#include <QString>
#include <QStringList>

#include <memory>

class QSettings;

namespace condense::ui {

class AppSettings {
public:
    static constexpr int kVersion = 1;
    static constexpr int kMaxRecentFiles = 10;

    // The user's settings (organization "Condense", application "Condense").
    AppSettings();
    // A specific .ini file (tests, `condense --settings FILE`).
    explicit AppSettings(const QString& iniPath);
    ~AppSettings();
    AppSettings(const AppSettings&) = delete;
    AppSettings& operator=(const AppSettings&) = delete;

    int version() const;
    QString fileName() const;

    // Most recent first, no duplicates, at most kMaxRecentFiles.
    QStringList recentFiles() const;
    void addRecentFile(const QString& path);
    void removeRecentFile(const QString& path);
    void clearRecentFiles();

    QByteArray windowGeometry() const;
    void setWindowGeometry(const QByteArray& geometry);
    QByteArray windowState() const;
    void setWindowState(const QByteArray& state);
    QByteArray splitterState() const;
    void setSplitterState(const QByteArray& state);

    // "system" (default) or a language code ("de", "fr", "zh_CN", "en").
    QString language() const;
    void setLanguage(const QString& language);

    // Writes pending changes to storage.
    void sync();

private:
    void migrate();

    std::unique_ptr<QSettings> m_settings;
};

} // namespace condense::ui
