#pragma once
// LanguageManager: installs Condense's translation for the chosen language. The choice is a
// setting: "system" (the default) follows the system locale, or a code from available().
// Translations are the .qm files qt_add_translations embeds under :/i18n/. Installing a
// translator makes Qt send LanguageChange to every widget, which retranslates itself.
#include <QList>
#include <QLocale>
#include <QObject>
#include <QString>

#include <memory>

class QTranslator;

namespace condense::ui {

class LanguageManager : public QObject {
    Q_OBJECT
public:
    struct Language {
        QString code;       // "en", "de", "fr", "zh_CN"
        QString nativeName; // shown in its own language, never translated
    };

    explicit LanguageManager(QObject* parent = nullptr);
    ~LanguageManager() override;

    static QList<Language> available();
    static QString systemSetting() { return QStringLiteral("system"); }

    // The locale a setting stands for ("system" -> QLocale::system()).
    static QLocale localeFor(const QString& setting);

    // Applies the setting; returns the language code actually in use ("en" when the locale has
    // no translation, as the source strings are English).
    QString apply(const QString& setting);
    QString current() const { return m_current; }

private:
    std::unique_ptr<QTranslator> m_translator;
    QString m_current = QStringLiteral("en");
};

} // namespace condense::ui
