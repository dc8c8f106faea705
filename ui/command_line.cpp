#include "ui/command_line.h"

#include <QCommandLineParser>
#include <QCoreApplication>

#include <cstdio>
#include <cstdlib>

namespace condense::ui {

namespace {
class CommandLine {
    Q_DECLARE_TR_FUNCTIONS(condense::ui::CommandLine)
public:
    static CommandLineOptions parse(const QCoreApplication& app)
    {
        QCommandLineParser parser;
        parser.setApplicationDescription(tr("Condense: see inside local language models and quantize them."));
        const QCommandLineOption help = parser.addHelpOption();
        const QCommandLineOption version = parser.addVersionOption();
        parser.addPositionalArgument(QStringLiteral("path"), tr("A model folder, .safetensors or .gguf file to open."),
                                     QStringLiteral("[PATH]"));
        const QCommandLineOption demo(QStringLiteral("demo"), tr("Open the bundled demo model."));
        const QCommandLineOption screenshot(QStringLiteral("screenshot"),
                                            tr("Save a PNG of the window to <file> once the model is open, then quit."),
                                            QStringLiteral("file"));
        const QCommandLineOption settings(QStringLiteral("settings"), tr("Use <file> for the settings instead of the user's."),
                                          QStringLiteral("file"));
        const QCommandLineOption language(QStringLiteral("language"),
                                          tr("Use language <code> (en, de, fr, zh_CN or system) for this run."),
                                          QStringLiteral("code"));
        const QCommandLineOption page(QStringLiteral("page"),
                                      tr("Show <page> once the model is open: inspect, heatmap, quantize or results."),
                                      QStringLiteral("page"));
        const QCommandLineOption tensor(QStringLiteral("tensor"), tr("Select tensor <name> once the model is open."),
                                        QStringLiteral("name"));
        const QCommandLineOption format(QStringLiteral("format"),
                                        tr("Choose output format <format> on the Quantize page: gguf, gptq, awq or compressed-tensors."),
                                        QStringLiteral("format"));
        parser.addOptions({demo, screenshot, settings, language, page, tensor, format});
        if (!parser.parse(app.arguments())) {
            std::fputs(qPrintable(QStringLiteral("condense: error: ") + parser.errorText() + QLatin1Char('\n')), stderr);
            std::exit(2);
        }
        if (parser.isSet(help)) parser.showHelp(0);
        if (parser.isSet(version)) parser.showVersion();
        CommandLineOptions o;
        const QStringList positional = parser.positionalArguments();
        if (positional.size() > 1) {
            std::fputs(qPrintable(QStringLiteral("condense: error: ") + tr("open one model at a time") + QLatin1Char('\n')), stderr);
            std::exit(2);
        }
        if (!positional.isEmpty()) o.path = positional.first();
        o.demo = parser.isSet(demo);
        o.screenshot = parser.value(screenshot);
        o.settingsFile = parser.value(settings);
        o.language = parser.value(language);
        o.page = parser.value(page);
        o.tensor = parser.value(tensor);
        o.format = parser.value(format);
        static const QStringList kFormats = {QStringLiteral("gguf"), QStringLiteral("gptq"), QStringLiteral("awq"),
                                             QStringLiteral("compressed-tensors")};
        if (!o.format.isEmpty() && !kFormats.contains(o.format)) {
            std::fputs(qPrintable(QStringLiteral("condense: error: ") +
                                  tr("unknown format '%1' (gguf, gptq, awq, compressed-tensors)").arg(o.format) + QLatin1Char('\n')),
                       stderr);
            std::exit(2);
        }
        static const QStringList kPages = {QStringLiteral("inspect"), QStringLiteral("heatmap"), QStringLiteral("quantize"),
                                           QStringLiteral("results")};
        if (!o.page.isEmpty() && !kPages.contains(o.page)) {
            std::fputs(qPrintable(QStringLiteral("condense: error: ") + tr("unknown page '%1' (inspect, heatmap, quantize, results)").arg(o.page) +
                                  QLatin1Char('\n')),
                       stderr);
            std::exit(2);
        }
        return o;
    }
};
} // namespace

CommandLineOptions parseCommandLine(const QCoreApplication& app) { return CommandLine::parse(app); }

} // namespace condense::ui
