#pragma once
// MainWindow: the shell of Condense (layout in UI.md). Empty state: the DropZone fills the
// page. Once a model is open: ModelPanel on the left, Inspect / Quantize / Results tabs on the
// right. Always: the error banner on top and the job strip at the bottom. Opening a model is
// a job on the JobRunner; the GUI thread does no file I/O.
#include <QMainWindow>

#include <memory>
#include <optional>
#include <set>

#include "core/plan/hardware_profile.h"
#include "ui/jobs/job_types.h"

class QAction;
class QImage;
class QActionGroup;
class QMenu;
class QSplitter;
class QStackedWidget;
class QTabWidget;

namespace condense::io {
class Checkpoint;
}

namespace condense::ui {

class AnalysisStore;
class AppSettings;
class DropZone;
class HelpDialog;
class InspectPage;
class JobRunner;
class JobStrip;
class LanguageManager;
class MessageBanner;
class ModelPanel;
class QuantizePage;
class ResultsPage;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    // `languages` may be null (then the Language menu only stores the setting).
    MainWindow(AppSettings& settings, LanguageManager* languages, QWidget* parent = nullptr);
    ~MainWindow() override;

    void openPath(const QString& path);
    void openDemo();
    void closeModel();

    const std::shared_ptr<const io::Checkpoint>& checkpoint() const { return m_checkpoint; }
    // What the open model is called in the window (the demo gets its own name).
    QString displayName() const { return m_modelName; }
    bool isShowingModel() const;
    // A folder holding only config.json is open: the Quantize page plans for it, nothing else.
    bool isPlanOnly() const { return !m_planOnlyPath.isEmpty(); }
    DropZone* dropZone() const { return m_dropZone; }
    ModelPanel* modelPanel() const { return m_modelPanel; }
    MessageBanner* errorBanner() const { return m_banner; }
    JobStrip* jobStrip() const { return m_jobStrip; }
    JobRunner& jobRunner() const { return *m_runner; }
    InspectPage* inspectPage() const { return m_inspect; }
    AnalysisStore* analysisStore() const { return m_analysis; }
    // Where tensor analyses are cached (default: the user cache folder + "/analysis"; empty: none).
    void setAnalysisCacheDir(const QString& dir) { m_analysisCacheDir = dir; }
    QString analysisCacheDir() const { return m_analysisCacheDir; }
    // (Re)starts the background analysis of the open model with the Inspect page's preview mix.
    void startAnalysis();
    // The user profile folder the profile editor saves into (tests; default XDG config).
    void setUserProfileDir(const QString& dir) { m_profileDir = dir; }
    // Opens the profile editor (add: no profile); Save writes the profile into the user folder.
    void editProfile(const std::optional<plan::HardwareProfile>& profile);
    // Shows a page by its command-line name (inspect, heatmap, quantize, results).
    void showPage(const QString& page);
    // Selects a tensor by its stored name; false when the open model has none of that name.
    bool selectTensor(const QString& name);
    QMenu* recentMenu() const { return m_recentMenu; }
    QuantizePage* quantizePage() const { return m_quantizePage; }
    ResultsPage* resultsPage() const { return m_resultsPage; }
    QTabWidget* pageTabs() const { return m_tabs; }
    // Where runs of the open model go unless the user picks another folder: next to the model
    // (its folder's parent), or Documents/Condense for the bundled demo.
    QString defaultOutputFolder() const;

Q_SIGNALS:
    void modelOpened(const QString& name);
    void openFailed(const QString& message);
    // After every open attempt, whatever its outcome (opened, failed, cancelled).
    void openEnded();
    // The background analysis of the open model ended (finished, failed or cancelled).
    void analysisEnded();

protected:
    void closeEvent(QCloseEvent* event) override;
    void changeEvent(QEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dragMoveEvent(QDragMoveEvent* event) override;
    void dragLeaveEvent(QDragLeaveEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void createActions();
    void createMenus();
    void retranslate();
    void rebuildRecentMenu();
    void showOpenFileDialog();
    void showOpenFolderDialog();
    void showHelp();
    void showAbout();
    void setLanguage(const QString& code);
    void onJobFinished(JobId id, const QVariant& result);
    void onJobFailed(JobId id, const Error& error);
    void onJobEnded(JobId id);
    void setCheckpoint(std::shared_ptr<const io::Checkpoint> checkpoint);
    void updateTitle();
    QString modelName() const;
    QString lastDirectory() const;
    void exportImage(const QImage& image, const QString& suggestedName);
    void selectLayer(int layer);
    void enterPlanOnly(const QString& path);

    AppSettings& m_settings;
    LanguageManager* m_languages;
    JobRunner* m_runner = nullptr;

    MessageBanner* m_banner = nullptr;
    MessageBanner* m_dropHint = nullptr;
    QStackedWidget* m_stack = nullptr;
    DropZone* m_dropZone = nullptr;
    QSplitter* m_workspace = nullptr;
    ModelPanel* m_modelPanel = nullptr;
    QTabWidget* m_tabs = nullptr;
    InspectPage* m_inspect = nullptr;
    AnalysisStore* m_analysis = nullptr;
    QuantizePage* m_quantizePage = nullptr;
    ResultsPage* m_resultsPage = nullptr;
    JobStrip* m_jobStrip = nullptr;
    HelpDialog* m_help = nullptr;

    QMenu* m_fileMenu = nullptr;
    QMenu* m_recentMenu = nullptr;
    QMenu* m_viewMenu = nullptr;
    QMenu* m_languageMenu = nullptr;
    QMenu* m_helpMenu = nullptr;
    QAction* m_openFileAction = nullptr;
    QAction* m_openFolderAction = nullptr;
    QAction* m_openDemoAction = nullptr;
    QAction* m_closeModelAction = nullptr;
    QAction* m_quitAction = nullptr;
    QAction* m_expandAction = nullptr;
    QAction* m_collapseAction = nullptr;
    QAction* m_helpAction = nullptr;
    QAction* m_aboutAction = nullptr;
    QAction* m_systemLanguageAction = nullptr;
    QActionGroup* m_languageGroup = nullptr;

    std::shared_ptr<const io::Checkpoint> m_checkpoint;
    JobId m_openJob = 0;
    JobId m_analysisJob = 0;
    quint64 m_analysisGeneration = 0;
    QString m_analysisCacheDir;
    std::set<JobId> m_exportJobs;
    std::set<JobId> m_runJobs;
    std::set<JobId> m_profileSaveJobs;
    QString m_profileDir; // user profile folder override (tests); empty: the default
    QString m_openingPath;
    QString m_modelName;
    QString m_planOnlyPath; // a config.json-only folder shown for planning
};

} // namespace condense::ui
