#include "ui/settings/app_settings.h"

#include <QDir>
#include <QSettings>

namespace condense::ui {

namespace {
// Every key in one place.
namespace key {
const QString version = QStringLiteral("settingsVersion");
const QString recentFiles = QStringLiteral("files/recent");
const QString windowGeometry = QStringLiteral("window/geometry");
const QString windowState = QStringLiteral("window/state");
const QString splitterState = QStringLiteral("window/splitter");
const QString language = QStringLiteral("ui/language");
} // namespace key

QStringList normalized(QStringList list)
{
    QStringList out;
    for (const QString& p : list) {
        if (p.isEmpty() || out.contains(p)) continue;
        out << p;
        if (out.size() == AppSettings::kMaxRecentFiles) break;
    }
    return out;
}
} // namespace

AppSettings::AppSettings()
    : m_settings(std::make_unique<QSettings>(QSettings::IniFormat, QSettings::UserScope, QStringLiteral("Condense"),
                                             QStringLiteral("Condense")))
{
    migrate();
}

AppSettings::AppSettings(const QString& iniPath) : m_settings(std::make_unique<QSettings>(iniPath, QSettings::IniFormat))
{
    migrate();
}

AppSettings::~AppSettings() = default;

int AppSettings::version() const { return m_settings->value(key::version, 0).toInt(); }

QString AppSettings::fileName() const { return m_settings->fileName(); }

void AppSettings::migrate()
{
    int v = version();
    // Step by step, so a file of any old version walks through every migration once.
    while (v < kVersion) {
        switch (v) {
        case 0:
            // Version 0: nothing stored yet (or a file from before versioning): nothing to convert.
            break;
        default:
            break;
        }
        ++v;
    }
    if (v != version()) m_settings->setValue(key::version, v);
}

QStringList AppSettings::recentFiles() const { return normalized(m_settings->value(key::recentFiles).toStringList()); }

void AppSettings::addRecentFile(const QString& path)
{
    const QString clean = QDir::cleanPath(path);
    QStringList list = recentFiles();
    list.removeAll(clean);
    list.prepend(clean);
    m_settings->setValue(key::recentFiles, normalized(list));
}

void AppSettings::removeRecentFile(const QString& path)
{
    QStringList list = recentFiles();
    list.removeAll(QDir::cleanPath(path));
    list.removeAll(path);
    m_settings->setValue(key::recentFiles, list);
}

void AppSettings::clearRecentFiles() { m_settings->remove(key::recentFiles); }

QByteArray AppSettings::windowGeometry() const { return m_settings->value(key::windowGeometry).toByteArray(); }
void AppSettings::setWindowGeometry(const QByteArray& geometry) { m_settings->setValue(key::windowGeometry, geometry); }
QByteArray AppSettings::windowState() const { return m_settings->value(key::windowState).toByteArray(); }
void AppSettings::setWindowState(const QByteArray& state) { m_settings->setValue(key::windowState, state); }
QByteArray AppSettings::splitterState() const { return m_settings->value(key::splitterState).toByteArray(); }
void AppSettings::setSplitterState(const QByteArray& state) { m_settings->setValue(key::splitterState, state); }

QString AppSettings::language() const
{
    const QString v = m_settings->value(key::language).toString();
    return v.isEmpty() ? QStringLiteral("system") : v;
}

void AppSettings::setLanguage(const QString& language) { m_settings->setValue(key::language, language); }

void AppSettings::sync() { m_settings->sync(); }

} // namespace condense::ui
