// gtest main for UI tests: a QApplication exists for the whole run (tests run on its thread,
// which is the GUI thread). Platform "offscreen" comes from the environment
// (condense_add_test sets QT_QPA_PLATFORM=offscreen). Numbers are formatted in a fixed
// locale so tests can compare "6.8 M" and "6,819,072".
#include <QApplication>
#include <QLocale>

#include <gtest/gtest.h>

namespace {
QtMessageHandler g_defaultHandler = nullptr;

// The offscreen platform warns on every top-level relayout that it cannot pass size hints to
// a window manager it does not have; that says nothing about Condense, so keep it out of logs.
void filterMessages(QtMsgType type, const QMessageLogContext& context, const QString& message)
{
    if (message == QLatin1String("This plugin does not support propagateSizeHints()")) return;
    g_defaultHandler(type, context, message);
}
} // namespace

int main(int argc, char** argv)
{
    // gtest_discover_tests lists the tests at build time without the test environment.
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
    g_defaultHandler = qInstallMessageHandler(filterMessages);
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("CondenseTests"));
    QApplication::setApplicationName(QStringLiteral("CondenseTests"));
    QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
