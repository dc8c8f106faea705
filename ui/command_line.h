#pragma once
// The command line of `condense` (the GUI):
//   condense [PATH]                 open PATH (folder, .safetensors, .gguf) at start
//   condense --demo                 open the bundled demo model
//   condense --screenshot FILE      save a PNG of the window once the model is open (or at once
//                                   without one), then quit: for docs and checks under Xvfb
//   condense --settings FILE.ini    use this settings file instead of the user's
//   condense --language CODE        override the language setting for this run
//   condense --page PAGE            show this page once the model is open: inspect (tensor view),
//                                   heatmap (Inspect's whole-model view), quantize, results
//   condense --tensor NAME          select this tensor once the model is open
//   condense --format FORMAT        the Quantize page's output format: gguf, gptq, awq,
//                                   compressed-tensors
// With --screenshot and a model, the picture is taken once the model's analysis has ended.
#include <QString>

class QCoreApplication;

namespace condense::ui {

struct CommandLineOptions {
    QString path;
    bool demo = false;
    QString screenshot;
    QString settingsFile;
    QString language;
    QString page;
    QString tensor;
    QString format;
};

// Parses the application's arguments; --help and --version print and exit 0, usage errors exit 2.
CommandLineOptions parseCommandLine(const QCoreApplication& app);

} // namespace condense::ui
