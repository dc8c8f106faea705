// condense: the GUI. Thin: application setup, command line, settings, language, the window.
// Everything else lives in condense_ui.
#include <QApplication>
#include <QDir>
#include <QIcon>
#include <QTimer>

#include <cstdio>
#include <memory>

#include "ui/command_line.h"
#include "ui/i18n/language_manager.h"
#include "ui/main_window.h"
#include "ui/pages/quantize_page.h"
#include "ui/settings/app_settings.h"
#include "ui/widgets/screenshot.h"

namespace {
void setApplicationInfo()
{
    QCoreApplication::setOrganizationName(QStringLiteral("Condense"));
    QCoreApplication::setApplicationName(QStringLiteral("Condense"));
    QCoreApplication::setApplicationVersion(QStringLiteral(CONDENSE_VERSION));
}
} // namespace

int main(int argc, char** argv)
{
    condense::ui::CommandLineOptions options;
    {
        // --help, --version and usage errors work without a display.
        QCoreApplication parsing(argc, argv);
        setApplicationInfo();
        condense::ui::LanguageManager languages;
        languages.apply(condense::ui::LanguageManager::systemSetting()); // --help in the user's language
        options = condense::ui::parseCommandLine(parsing);
    }
#ifdef Q_OS_LINUX
    if (qEnvironmentVariableIsEmpty("DISPLAY") && qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY") &&
        qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) {
        std::fputs("condense: error: no display (DISPLAY and WAYLAND_DISPLAY are not set); "
                   "condense-cli works without one\n",
                   stderr);
        return 1;
    }
#endif

    QApplication app(argc, argv);
    setApplicationInfo();
    QApplication::setApplicationDisplayName(QStringLiteral("Condense"));
    QApplication::setDesktopFileName(QStringLiteral("condense"));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/condense.svg")));
    condense::ui::LanguageManager languages;

    auto settings = options.settingsFile.isEmpty() ? std::make_unique<condense::ui::AppSettings>()
                                                   : std::make_unique<condense::ui::AppSettings>(options.settingsFile);
    languages.apply(options.language.isEmpty() ? settings->language() : options.language);

    condense::ui::MainWindow window(*settings, &languages);
    window.show();

    // Once the model is open and its analysis has ended: the page and tensor asked for, then
    // the screenshot (if any).
    const bool opening = options.demo || !options.path.isEmpty();
    auto arrange = [&window, options]() {
        if (!options.format.isEmpty()) window.quantizePage()->setFormat(options.format);
        if (!options.page.isEmpty()) window.showPage(options.page);
        if (!options.tensor.isEmpty() && !window.selectTensor(options.tensor))
            std::fprintf(stderr, "condense: warning: no tensor named %s\n", qPrintable(options.tensor));
    };
    auto shoot = [&window, file = options.screenshot]() {
        QTimer::singleShot(300, &window, [&window, file]() {
            const bool saved = condense::ui::saveScreenshot(window, file);
            if (!saved) std::fprintf(stderr, "condense: error: %s: cannot write the screenshot\n", qPrintable(file));
            QCoreApplication::exit(saved ? 0 : 1);
        });
    };
    if (opening) {
        QObject::connect(&window, &condense::ui::MainWindow::openEnded, &window, [&window, arrange, shoot, options]() {
            if (!window.checkpoint()) {
                if (!options.screenshot.isEmpty()) shoot();
                return;
            }
            arrange();
            if (!options.screenshot.isEmpty())
                QObject::connect(&window, &condense::ui::MainWindow::analysisEnded, &window, [arrange, shoot]() {
                    arrange();
                    shoot();
                }, Qt::SingleShotConnection);
        });
    } else if (!options.screenshot.isEmpty()) {
        shoot();
    }

    if (options.demo) window.openDemo();
    else if (!options.path.isEmpty()) window.openPath(QDir::current().absoluteFilePath(options.path));

    return QApplication::exec();
}
