#include "ui/i18n/language_manager.h"

#include <QCoreApplication>
#include <QTranslator>

namespace condense::ui {

LanguageManager::LanguageManager(QObject* parent) : QObject(parent) {}

LanguageManager::~LanguageManager()
{
    if (m_translator) QCoreApplication::removeTranslator(m_translator.get());
}

QList<LanguageManager::Language> LanguageManager::available()
{
    return {
        {QStringLiteral("en"), QStringLiteral("English")},
        {QStringLiteral("de"), QStringLiteral("Deutsch")},
        {QStringLiteral("fr"), QStringLiteral("Français")},
        {QStringLiteral("zh_CN"), QStringLiteral("简体中文")},
    };
}

QLocale LanguageManager::localeFor(const QString& setting)
{
    if (setting.isEmpty() || setting == systemSetting()) return QLocale::system();
    return QLocale(setting);
}

QString LanguageManager::apply(const QString& setting)
{
    if (m_translator) {
        QCoreApplication::removeTranslator(m_translator.get());
        m_translator.reset();
    }
    m_current = QStringLiteral("en");
    const QLocale locale = localeFor(setting);
    // Numbers follow the language too (1.234,5 in German): every QLocale() in the window.
    QLocale::setDefault(locale);
    auto translator = std::make_unique<QTranslator>();
    // Tries the locale's UI languages in order (zh_CN, zh, ...); the files are embedded resources.
    if (translator->load(locale, QStringLiteral("condense"), QStringLiteral("_"), QStringLiteral(":/i18n"))) {
        m_current = translator->language().replace(QLatin1Char('-'), QLatin1Char('_'));
        QCoreApplication::installTranslator(translator.get());
        m_translator = std::move(translator);
    } else {
        // English has no translator; still tell widgets so they switch back.
        QEvent change(QEvent::LanguageChange);
        QCoreApplication::sendEvent(QCoreApplication::instance(), &change);
    }
    return m_current;
}

} // namespace condense::ui
