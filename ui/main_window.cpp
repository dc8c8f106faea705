#include "ui/main_window.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDragEnterEvent>
#include <QFile>
#include <QFileDialog>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QKeyEvent>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSaveFile>
#include <QSplitter>
#include <QStandardPaths>
#include <QStackedWidget>
#include <QTabWidget>
#include <QThread>
#include <QVBoxLayout>

#include <algorithm>
#include <filesystem>
#include <mutex>

#include "core/io/checkpoint.h"
#include "core/jobs/worker_priority.h"
#include "core/pipeline/analyze_request.h"
#include "core/pipeline/inspect_request.h"
#include "ui/demo_model.h"
#include "ui/dialogs/help_dialog.h"
#include "ui/i18n/error_text.h"
#include "ui/i18n/language_manager.h"
#include "ui/jobs/fs_path.h"
#include "ui/jobs/job_runner.h"
#include "ui/models/analysis_store.h"
#include "ui/models/model_tree_model.h"
#include "ui/models/tensor_group.h"
#include "ui/pages/inspect_page.h"
#include "ui/pages/quantize_page.h"
#include "ui/pages/results_page.h"
#include "ui/dialogs/profile_dialog.h"
#include "core/io/atomic_file.h"
#include "core/pipeline/pipeline_run.h"
#include "ui/settings/app_settings.h"
#include "ui/widgets/drop_zone.h"
#include "ui/widgets/dropped_path.h"
#include "ui/widgets/job_strip.h"
#include "ui/widgets/message_banner.h"
#include "ui/widgets/model_panel.h"


namespace condense::ui {

namespace {
const QString kOpenSlot = QStringLiteral("open-model");
const QString kAnalysisSlot = QStringLiteral("analysis");

} // namespace

MainWindow::MainWindow(AppSettings& settings, LanguageManager* languages, QWidget* parent)
    : QMainWindow(parent), m_settings(settings), m_languages(languages)
{
    setObjectName(QStringLiteral("mainWindow"));
    setAcceptDrops(true);
    // The window before the work: oneTBB's workers run below the GUI thread's priority.
    jobs::lowerWorkerThreadPriority();
    m_runner = new JobRunner(this);

    m_banner = new MessageBanner(this);
    m_banner->setObjectName(QStringLiteral("errorBanner"));
    m_dropHint = new MessageBanner(this);
    m_dropHint->setObjectName(QStringLiteral("dropHintBanner"));

    m_dropZone = new DropZone(this);
    connect(m_dropZone, &DropZone::pathDropped, this, &MainWindow::openPath);
    connect(m_dropZone, &DropZone::openFileRequested, this, &MainWindow::showOpenFileDialog);
    connect(m_dropZone, &DropZone::openFolderRequested, this, &MainWindow::showOpenFolderDialog);
    connect(m_dropZone, &DropZone::demoRequested, this, &MainWindow::openDemo);

    m_analysisCacheDir = QStandardPaths::writableLocation(QStandardPaths::CacheLocation);
    if (!m_analysisCacheDir.isEmpty()) m_analysisCacheDir += QStringLiteral("/analysis");
    m_analysis = new AnalysisStore(this);
    m_modelPanel = new ModelPanel(this);
    m_modelPanel->treeModel()->setAnalysisStore(m_analysis);
    m_inspect = new InspectPage(*m_analysis, this);
    connect(m_modelPanel, &ModelPanel::tensorSelected, m_inspect, &InspectPage::showTensor);
    connect(m_inspect, &InspectPage::tensorActivated, m_modelPanel, &ModelPanel::selectTensor);
    connect(m_inspect, &InspectPage::statisticChanged, m_modelPanel->treeModel(), &ModelTreeModel::setStatistic);
    connect(m_inspect, &InspectPage::previewMixChanged, this, [this] { startAnalysis(); });
    connect(m_inspect, &InspectPage::exportRequested, this, &MainWindow::exportImage);
    m_quantizePage = new QuantizePage(*m_runner, this);
    m_resultsPage = new ResultsPage(*m_runner, this);
    connect(m_quantizePage, &QuantizePage::profileEditRequested, this, &MainWindow::editProfile);
    connect(m_quantizePage, &QuantizePage::importanceMatrixChanged, this, [this] {
        if (m_checkpoint) startAnalysis();
    });
    connect(m_quantizePage, &QuantizePage::runFinished, this, [this](const std::shared_ptr<const RunResult>& run) {
        m_resultsPage->showRun(run);
    });
    connect(m_quantizePage, &QuantizePage::runFailed, this, [this](const QString& headline, const QString& detail) {
        m_banner->showMessage(MessageBanner::Kind::Error, headline, detail);
    });
    connect(m_resultsPage, &ResultsPage::layerActivated, this, &MainWindow::selectLayer);
    connect(m_resultsPage, &ResultsPage::exportRequested, this, &MainWindow::exportImage);
    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("pageTabs"));
    m_tabs->setDocumentMode(true);
    m_tabs->addTab(m_inspect, QString());
    m_tabs->addTab(m_quantizePage, QString());
    m_tabs->addTab(m_resultsPage, QString());

    m_workspace = new QSplitter(Qt::Horizontal, this);
    m_workspace->setObjectName(QStringLiteral("workspace"));
    m_workspace->addWidget(m_modelPanel);
    m_workspace->addWidget(m_tabs);
    m_workspace->setStretchFactor(0, 0);
    m_workspace->setStretchFactor(1, 1);
    m_workspace->setSizes({480, 720});
    m_workspace->setChildrenCollapsible(false);

    m_stack = new QStackedWidget(this);
    m_stack->addWidget(m_dropZone);
    m_stack->addWidget(m_workspace);

    m_jobStrip = new JobStrip(*m_runner, this);
    connect(m_quantizePage, &QuantizePage::runStarted, this, [this](JobId id) { m_runJobs.insert(id); });
    connect(m_runner, &JobRunner::finished, this, [this](JobId id, const QVariant&) {
        if (m_runJobs.count(id)) m_jobStrip->offerResults(id);
    });
    connect(m_jobStrip, &JobStrip::resultsRequested, this, [this] { m_tabs->setCurrentWidget(m_resultsPage); });

    auto* central = new QWidget(this);
    auto* layout = new QVBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_banner);
    layout->addWidget(m_dropHint);
    layout->addWidget(m_stack, 1);
    layout->addWidget(m_jobStrip);
    setCentralWidget(central);

    connect(m_runner, &JobRunner::finished, this, &MainWindow::onJobFinished);
    connect(m_runner, &JobRunner::failed, this, &MainWindow::onJobFailed);
    connect(m_runner, &JobRunner::ended, this, &MainWindow::onJobEnded);
    connect(m_runner, &JobRunner::cancelled, this, [this](JobId id) {
        if (id == m_analysisJob) m_analysis->endRun(m_analysisGeneration, AnalysisStore::State::Cancelled);
    });

    createActions();
    createMenus();
    retranslate();
    rebuildRecentMenu();

    const QByteArray geometry = m_settings.windowGeometry();
    if (geometry.isEmpty() || !restoreGeometry(geometry)) resize(1200, 780);
    restoreState(m_settings.windowState());
    const QByteArray splitter = m_settings.splitterState();
    if (!splitter.isEmpty()) m_workspace->restoreState(splitter);
}

MainWindow::~MainWindow() = default;

void MainWindow::createActions()
{
    m_openFileAction = new QAction(this);
    m_openFileAction->setShortcut(QKeySequence::Open);
    connect(m_openFileAction, &QAction::triggered, this, &MainWindow::showOpenFileDialog);
    m_openFolderAction = new QAction(this);
    m_openFolderAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    connect(m_openFolderAction, &QAction::triggered, this, &MainWindow::showOpenFolderDialog);
    m_openDemoAction = new QAction(this);
    connect(m_openDemoAction, &QAction::triggered, this, &MainWindow::openDemo);
    m_closeModelAction = new QAction(this);
    m_closeModelAction->setShortcut(QKeySequence::Close);
    m_closeModelAction->setEnabled(false);
    connect(m_closeModelAction, &QAction::triggered, this, &MainWindow::closeModel);
    m_quitAction = new QAction(this);
    m_quitAction->setShortcut(QKeySequence::Quit);
    m_quitAction->setMenuRole(QAction::QuitRole);
    connect(m_quitAction, &QAction::triggered, this, &QWidget::close);

    m_expandAction = new QAction(this);
    connect(m_expandAction, &QAction::triggered, m_modelPanel, &ModelPanel::expandAll);
    m_collapseAction = new QAction(this);
    connect(m_collapseAction, &QAction::triggered, m_modelPanel, &ModelPanel::collapseAll);

    m_helpAction = new QAction(this);
    m_helpAction->setShortcut(QKeySequence::HelpContents);
    connect(m_helpAction, &QAction::triggered, this, &MainWindow::showHelp);
    m_aboutAction = new QAction(this);
    m_aboutAction->setMenuRole(QAction::AboutRole);
    connect(m_aboutAction, &QAction::triggered, this, &MainWindow::showAbout);

    m_languageGroup = new QActionGroup(this);
    m_languageGroup->setExclusive(true);
    m_systemLanguageAction = new QAction(m_languageGroup);
    m_systemLanguageAction->setCheckable(true);
    m_systemLanguageAction->setData(LanguageManager::systemSetting());
    for (const auto& lang : LanguageManager::available()) {
        auto* a = new QAction(lang.nativeName, m_languageGroup);
        a->setCheckable(true);
        a->setData(lang.code);
    }
    const QString current = m_settings.language();
    for (QAction* a : m_languageGroup->actions())
        if (a->data().toString() == current) a->setChecked(true);
    if (!m_languageGroup->checkedAction()) m_systemLanguageAction->setChecked(true);
    connect(m_languageGroup, &QActionGroup::triggered, this, [this](QAction* a) { setLanguage(a->data().toString()); });
}

void MainWindow::createMenus()
{
    m_fileMenu = menuBar()->addMenu(QString());
    m_fileMenu->addAction(m_openFileAction);
    m_fileMenu->addAction(m_openFolderAction);
    m_recentMenu = m_fileMenu->addMenu(QString());
    m_recentMenu->setObjectName(QStringLiteral("recentMenu"));
    m_fileMenu->addAction(m_openDemoAction);
    m_fileMenu->addSeparator();
    m_fileMenu->addAction(m_closeModelAction);
    m_fileMenu->addSeparator();
    m_fileMenu->addAction(m_quitAction);

    m_viewMenu = menuBar()->addMenu(QString());
    m_viewMenu->addAction(m_expandAction);
    m_viewMenu->addAction(m_collapseAction);
    m_viewMenu->addSeparator();
    m_languageMenu = m_viewMenu->addMenu(QString());
    m_languageMenu->addAction(m_systemLanguageAction);
    m_languageMenu->addSeparator();
    for (QAction* a : m_languageGroup->actions())
        if (a != m_systemLanguageAction) m_languageMenu->addAction(a);

    m_helpMenu = menuBar()->addMenu(QString());
    m_helpMenu->addAction(m_helpAction);
    m_helpMenu->addSeparator();
    m_helpMenu->addAction(m_aboutAction);
}

void MainWindow::retranslate()
{
    m_fileMenu->setTitle(tr("&File"));
    m_openFileAction->setText(tr("&Open File…"));
    m_openFileAction->setStatusTip(tr("Open a .gguf or .safetensors file"));
    m_openFolderAction->setText(tr("Open &Folder…"));
    m_openFolderAction->setStatusTip(tr("Open a Hugging Face model folder"));
    m_recentMenu->setTitle(tr("Open &Recent"));
    m_openDemoAction->setText(tr("Open &Demo Model"));
    m_closeModelAction->setText(tr("&Close Model"));
    m_quitAction->setText(tr("&Quit"));
    m_viewMenu->setTitle(tr("&View"));
    m_expandAction->setText(tr("&Expand All Groups"));
    m_collapseAction->setText(tr("C&ollapse All Groups"));
    m_languageMenu->setTitle(tr("&Language"));
    m_systemLanguageAction->setText(tr("System Default"));
    m_helpMenu->setTitle(tr("&Help"));
    m_helpAction->setText(tr("Condense &Help"));
    m_aboutAction->setText(tr("&About Condense"));
    m_tabs->setTabText(m_tabs->indexOf(m_inspect), tr("Inspect"));
    m_tabs->setTabText(m_tabs->indexOf(m_quantizePage), tr("Quantize"));
    m_tabs->setTabText(m_tabs->indexOf(m_resultsPage), tr("Results"));
    rebuildRecentMenu();
    if (m_checkpoint) {
        m_modelName = modelName();
        m_modelPanel->setModelName(m_modelName);
    }
    updateTitle();
}

void MainWindow::rebuildRecentMenu()
{
    m_recentMenu->clear();
    const QStringList recent = m_settings.recentFiles();
    if (recent.isEmpty()) {
        QAction* none = m_recentMenu->addAction(tr("No recent models"));
        none->setEnabled(false);
        return;
    }
    int n = 0;
    for (const QString& path : recent) {
        ++n;
        const QString label = n < 10 ? QStringLiteral("&%1  %2").arg(n).arg(QDir::toNativeSeparators(path))
                                     : QDir::toNativeSeparators(path);
        QAction* a = m_recentMenu->addAction(label);
        a->setData(path);
        connect(a, &QAction::triggered, this, [this, path]() { openPath(path); });
    }
    m_recentMenu->addSeparator();
    QAction* clear = m_recentMenu->addAction(tr("Clear Recent Models"));
    connect(clear, &QAction::triggered, this, [this]() {
        m_settings.clearRecentFiles();
        rebuildRecentMenu();
    });
}

QString MainWindow::lastDirectory() const
{
    const QStringList recent = m_settings.recentFiles();
    if (recent.isEmpty()) return QDir::homePath();
    // The folder above the last model: pure path arithmetic, no file system access.
    return QDir::cleanPath(recent.first() + QStringLiteral("/.."));
}

void MainWindow::showOpenFileDialog()
{
    auto* dialog = new QFileDialog(this, tr("Open Model File"), lastDirectory(),
                                   tr("Model files (*.gguf *.safetensors);;All files (*)"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setFileMode(QFileDialog::ExistingFile);
    connect(dialog, &QFileDialog::fileSelected, this, &MainWindow::openPath);
    dialog->open();
}

void MainWindow::showOpenFolderDialog()
{
    auto* dialog = new QFileDialog(this, tr("Open Model Folder"), lastDirectory());
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setFileMode(QFileDialog::Directory);
    dialog->setOption(QFileDialog::ShowDirsOnly, true);
    connect(dialog, &QFileDialog::fileSelected, this, &MainWindow::openPath);
    dialog->open();
}

void MainWindow::openPath(const QString& path)
{
    if (path.isEmpty()) return;
    m_banner->dismiss();
    m_dropHint->dismiss();
    m_openingPath = path;
    const QString name = QDir::cleanPath(path).section(QLatin1Char('/'), -1);
    const std::filesystem::path fsPath = toFsPath(path);
    m_openJob = m_runner->startTyped(tr("Open %1").arg(name), kOpenSlot,
                                     [fsPath](jobs::ProgressSink& sink, std::stop_token stop)
                                         -> Result<std::shared_ptr<const io::Checkpoint>> {
                                         // A folder with only config.json has nothing to open but can be
                                         // planned for: a null checkpoint says so.
                                         if (pipeline::isConfigOnlyFolder(fsPath)) return std::shared_ptr<const io::Checkpoint>();
                                         auto r = pipeline::runInspect({fsPath}, sink, stop);
                                         if (!r) return std::move(r).error();
                                         return std::move(r->checkpoint);
                                     });
}

void MainWindow::openDemo()
{
    m_banner->dismiss();
    m_dropHint->dismiss();
    m_openingPath.clear();
    const QStringList candidates = demoModelCandidates(QCoreApplication::applicationDirPath());
    m_openJob = m_runner->startTyped(tr("Open demo model"), kOpenSlot,
                                     [candidates](jobs::ProgressSink& sink, std::stop_token stop) {
                                         return openDemoModel(candidates, sink, stop);
                                     });
}

void MainWindow::startAnalysis()
{
    if (!m_checkpoint) return;
    const bool imatrix = !m_quantizePage->importanceMatrix().isEmpty();
    const quint64 generation = m_analysis->beginRun(m_inspect->previewMix() + (imatrix ? QStringLiteral("+imatrix") : QString()));
    m_analysisGeneration = generation;
    pipeline::AnalyzeRequest request;
    request.path = m_checkpoint->path();
    request.previewMix = m_inspect->previewMix().toStdString();
    // With the Quantize page's importance matrix the preview quantizes with it and shows the
    // importance-weighted error too.
    if (!m_quantizePage->importanceMatrix().isEmpty()) request.imatrix = toFsPath(m_quantizePage->importanceMatrix());
    if (!m_analysisCacheDir.isEmpty()) request.cacheDir = toFsPath(m_analysisCacheDir);
    // A background job: it leaves one core to the GUI thread, so the window stays responsive.
    request.threads = std::max(1, QThread::idealThreadCount() - 1);
    AnalysisStore* store = m_analysis;
    m_analysisJob = m_runner->startTyped(
        tr("Analyse %1").arg(m_modelName), kAnalysisSlot,
        [request, store, generation](jobs::ProgressSink& sink, std::stop_token stop) -> Result<int> {
            // Finished tensors go to the store on the GUI thread in batches: at most one queued
            // delivery in flight, which takes everything finished meanwhile (a cached model
            // arrives in a few calls, not 200). The store drops a batch of a superseded run.
            struct Pending {
                std::mutex mutex;
                std::vector<std::shared_ptr<const analysis::TensorAnalysis>> items;
                bool posted = false;
            };
            auto pending = std::make_shared<Pending>();
            auto r = pipeline::runAnalyze(request, sink, stop, [store, generation, pending](const std::shared_ptr<const analysis::TensorAnalysis>& t) {
                std::lock_guard lock(pending->mutex);
                pending->items.push_back(t);
                if (pending->posted) return;
                pending->posted = true;
                QMetaObject::invokeMethod(
                    store,
                    [store, generation, pending] {
                        std::vector<std::shared_ptr<const analysis::TensorAnalysis>> batch;
                        {
                            std::lock_guard drain(pending->mutex);
                            batch.swap(pending->items);
                            pending->posted = false;
                        }
                        store->addResults(generation, batch);
                    },
                    Qt::QueuedConnection);
            });
            if (!r) return std::move(r).error();
            return static_cast<int>(r->analysis.tensors.size());
        });
}

QString MainWindow::defaultOutputFolder() const
{
    if (!m_checkpoint) return {};
    const QString path = fromFsPath(m_checkpoint->path());
    if (isDemoModelPath(path, QCoreApplication::applicationDirPath())) {
        const QString docs = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
        return QDir::cleanPath((docs.isEmpty() ? QDir::homePath() : docs) + QStringLiteral("/Condense"));
    }
    return QDir::cleanPath(path + QStringLiteral("/.."));
}

void MainWindow::editProfile(const std::optional<plan::HardwareProfile>& profile)
{
    auto* dialog = new ProfileDialog(profile, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        const plan::HardwareProfile p = dialog->result();
        const QByteArray xdg = qgetenv("XDG_CONFIG_HOME"), home = qgetenv("HOME");
        const std::filesystem::path dir = m_profileDir.isEmpty() ? plan::userProfileDir(xdg.toStdString(), home.toStdString())
                                                                 : toFsPath(m_profileDir);
        const std::string json = plan::hardwareProfileJson(p);
        const JobId job = m_runner->startTyped(tr("Save profile %1").arg(QString::fromStdString(p.name)), QString(),
                                               [dir, json, id = p.id](jobs::ProgressSink&, std::stop_token) -> Result<int> {
                                                   if (dir.empty()) return makeError(ErrorCode::NotFound, {}, "no user profile folder (HOME is not set)");
                                                   std::error_code ec;
                                                   std::filesystem::create_directories(dir, ec);
                                                   if (ec) return makeError(ErrorCode::IoError, dir.string(), ec.message());
                                                   auto st = io::writeFileAtomically(dir / (id + ".json"), json + "\n");
                                                   if (!st) return std::move(st).error();
                                                   return 0;
                                               });
        m_profileSaveJobs.insert(job);
    });
    dialog->open();
}

void MainWindow::selectLayer(int layer)
{
    if (!m_checkpoint) return;
    // The layer's first tensor, in the tree's order; Inspect shows it.
    const auto& tensors = m_checkpoint->tensors();
    for (std::size_t i = 0; i < tensors.size(); ++i)
        if (tensorGroupOf(tensors[i].name).kind == TensorGroupKind::Layer && tensorGroupOf(tensors[i].name).layer == layer) {
            m_modelPanel->selectTensor(static_cast<int>(i));
            break;
        }
    m_tabs->setCurrentWidget(m_inspect);
    m_inspect->setView(InspectPage::View::Tensor);
}

void MainWindow::showPage(const QString& page)
{
    if (page == QLatin1String("inspect") || page == QLatin1String("heatmap")) {
        m_tabs->setCurrentWidget(m_inspect);
        m_inspect->setView(page == QLatin1String("heatmap") ? InspectPage::View::Model : InspectPage::View::Tensor);
    } else if (page == QLatin1String("quantize")) {
        m_tabs->setCurrentWidget(m_quantizePage);
    } else if (page == QLatin1String("results")) {
        m_tabs->setCurrentWidget(m_resultsPage);
    }
}

bool MainWindow::selectTensor(const QString& name)
{
    const int index = m_analysis->indexOf(name.toStdString());
    if (index < 0) return false;
    m_modelPanel->selectTensor(index);
    return true;
}

void MainWindow::exportImage(const QImage& image, const QString& suggestedName)
{
    QString base = suggestedName;
    base.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9._-]+")), QStringLiteral("_"));
    auto* dialog = new QFileDialog(this, tr("Export Plot"), QDir(lastDirectory()).filePath(base + QStringLiteral(".png")),
                                   tr("PNG images (*.png)"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setDefaultSuffix(QStringLiteral("png"));
    connect(dialog, &QFileDialog::fileSelected, this, [this, image](const QString& file) {
        const QString name = QFileInfo(file).fileName();
        const JobId job = m_runner->startTyped(tr("Export %1").arg(name), QString(), [image, file](jobs::ProgressSink&, std::stop_token) -> Result<int> {
            QSaveFile out(file);
            if (!out.open(QIODevice::WriteOnly) || !image.save(&out, "PNG") || !out.commit())
                return Error{ErrorCode::IoError, toFsPath(file).string(), out.errorString().toStdString(), {}, -1};
            return 0;
        });
        m_exportJobs.insert(job);
    });
    dialog->open();
}

void MainWindow::closeModel()
{
    m_runner->cancel(m_openJob);
    setCheckpoint(nullptr);
}

void MainWindow::onJobFinished(JobId id, const QVariant& result)
{
    if (id == m_analysisJob) {
        m_analysis->endRun(m_analysisGeneration, AnalysisStore::State::Done);
        return;
    }
    if (id != m_openJob) return;
    auto ck = result.value<std::shared_ptr<const io::Checkpoint>>();
    if (!ck) {
        if (!m_openingPath.isEmpty()) enterPlanOnly(m_openingPath);
        return;
    }
    m_settings.addRecentFile(fromFsPath(ck->path()));
    rebuildRecentMenu();
    setCheckpoint(ck);
    Q_EMIT modelOpened(m_modelName);
}

void MainWindow::onJobFailed(JobId id, const Error& error)
{
    if (id == m_analysisJob) {
        m_analysis->endRun(m_analysisGeneration, AnalysisStore::State::Failed);
        m_banner->showMessage(MessageBanner::Kind::Error, tr("The weight analysis failed."), ErrorText::detailLine(error));
        return;
    }
    if (m_profileSaveJobs.count(id)) {
        m_banner->showMessage(MessageBanner::Kind::Error, tr("The profile could not be saved."),
                              fromFsPath(error.file) + QStringLiteral(": ") + QString::fromStdString(error.detail));
        return;
    }
    if (m_exportJobs.count(id)) {
        m_banner->showMessage(MessageBanner::Kind::Error, tr("The image could not be saved."),
                              fromFsPath(error.file) + QStringLiteral(": ") + QString::fromStdString(error.detail));
        return;
    }
    if (id != m_openJob) return;
    const ErrorText::Message m = ErrorText::openFailed(error, m_openingPath);
    m_banner->showMessage(MessageBanner::Kind::Error, m.headline, m.detail);
    // A recent entry whose file is gone would fail every time: forget it.
    if (error.code == ErrorCode::NotFound && !m_openingPath.isEmpty()) {
        m_settings.removeRecentFile(m_openingPath);
        rebuildRecentMenu();
    }
    Q_EMIT openFailed(m_banner->text());
}

void MainWindow::onJobEnded(JobId id)
{
    m_exportJobs.erase(id);
    m_runJobs.erase(id);
    if (m_profileSaveJobs.erase(id)) m_quantizePage->reloadProfiles();
    if (id == m_analysisJob) {
        m_analysisJob = 0;
        Q_EMIT analysisEnded();
        return;
    }
    if (id != m_openJob) return;
    m_openJob = 0;
    Q_EMIT openEnded();
}

void MainWindow::enterPlanOnly(const QString& path)
{
    setCheckpoint(nullptr);
    m_planOnlyPath = path;
    m_modelName = tr("%1 (config.json only)").arg(QDir::cleanPath(path).section(QLatin1Char('/'), -1));
    m_settings.addRecentFile(path);
    rebuildRecentMenu();
    // No weights: nothing to inspect; the Quantize page plans what a download would need.
    m_modelPanel->hide();
    m_tabs->setTabEnabled(m_tabs->indexOf(m_inspect), false);
    m_quantizePage->setPlanOnly(path, QDir::cleanPath(path + QStringLiteral("/..")));
    m_resultsPage->clear();
    m_stack->setCurrentWidget(m_workspace);
    m_tabs->setCurrentWidget(m_quantizePage);
    m_closeModelAction->setEnabled(true);
    updateTitle();
    Q_EMIT modelOpened(m_modelName);
}

void MainWindow::setCheckpoint(std::shared_ptr<const io::Checkpoint> checkpoint)
{
    m_checkpoint = std::move(checkpoint);
    m_planOnlyPath.clear();
    m_modelPanel->show();
    m_tabs->setTabEnabled(m_tabs->indexOf(m_inspect), true);
    m_modelName = modelName();
    if (m_analysisJob) m_runner->cancel(m_analysisJob);
    m_analysis->setCheckpoint(m_checkpoint);
    // Inspect first: the panel selects a tensor, which Inspect must then show.
    m_inspect->setCheckpoint(m_checkpoint);
    m_modelPanel->setCheckpoint(m_checkpoint, m_modelName);
    m_quantizePage->setCheckpoint(m_checkpoint, defaultOutputFolder());
    m_resultsPage->clear();
    if (m_checkpoint) m_resultsPage->loadHistory(toFsPath(defaultOutputFolder()), pipeline::runModelName(m_checkpoint->path()));
    m_stack->setCurrentWidget(m_checkpoint ? static_cast<QWidget*>(m_workspace) : static_cast<QWidget*>(m_dropZone));
    m_closeModelAction->setEnabled(m_checkpoint != nullptr);
    m_expandAction->setEnabled(m_checkpoint != nullptr);
    m_collapseAction->setEnabled(m_checkpoint != nullptr);
    if (m_checkpoint) m_tabs->setCurrentWidget(m_inspect);
    updateTitle();
    startAnalysis();
}

QString MainWindow::modelName() const
{
    if (!m_checkpoint) return QString();
    if (isDemoModelPath(fromFsPath(m_checkpoint->path()), QCoreApplication::applicationDirPath()))
        return tr("%1 (demo)").arg(demoModelName());
    return QString::fromStdString(m_checkpoint->displayName());
}

bool MainWindow::isShowingModel() const { return m_stack->currentWidget() == m_workspace; }

void MainWindow::updateTitle()
{
    const QString app = QStringLiteral("Condense");
    setWindowTitle(m_checkpoint || !m_planOnlyPath.isEmpty() ? m_modelName + QStringLiteral(" — ") + app : app);
}

void MainWindow::setLanguage(const QString& code)
{
    m_settings.setLanguage(code);
    if (m_languages) m_languages->apply(code);
}

void MainWindow::showHelp()
{
    if (!m_help) m_help = new HelpDialog(this);
    m_help->show();
    m_help->raise();
    m_help->activateWindow();
}

void MainWindow::showAbout()
{
    auto* box = new QMessageBox(this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setWindowTitle(tr("About Condense"));
    box->setIconPixmap(windowIcon().pixmap(64, 64));
    box->setTextFormat(Qt::RichText);
    box->setText(tr("<h3>Condense %1</h3><p>A desktop studio that shows what is inside a local language model, quantizes "
                    "it and measures what the quantization cost.</p><p>Built with Qt %2.</p>")
                     .arg(QCoreApplication::applicationVersion(), QString::fromLatin1(qVersion())));
    box->open();
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    m_settings.setWindowGeometry(saveGeometry());
    m_settings.setWindowState(saveState());
    m_settings.setSplitterState(m_workspace->saveState());
    m_settings.sync();
    m_runner->cancelAll();
    event->accept();
}

// Esc cancels the focused job (JobStrip decides which, and asks first for long ones). Widgets
// that use Esc themselves (an open menu, a dialog) never let it get here.
void MainWindow::keyPressEvent(QKeyEvent* event)
{
    if (event->key() == Qt::Key_Escape && event->modifiers() == Qt::NoModifier && m_jobStrip->cancelFocusedJob()) {
        event->accept();
        return;
    }
    QMainWindow::keyPressEvent(event);
}

void MainWindow::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange) retranslate();
    QMainWindow::changeEvent(event);
}

// Drops onto the workspace (the DropZone handles its own): same rules, the hint in a banner.
void MainWindow::dragEnterEvent(QDragEnterEvent* event)
{
    const DroppedPath d = classifyDrop(event->mimeData());
    if (d.kind == DropKind::None) {
        event->ignore();
        return;
    }
    event->acceptProposedAction();
    m_dropHint->showMessage(d.kind == DropKind::Pickle ? MessageBanner::Kind::Error : MessageBanner::Kind::Info,
                            DropZone::hintFor(d));
}

void MainWindow::dragMoveEvent(QDragMoveEvent* event)
{
    if (!m_dropHint->isHidden()) event->acceptProposedAction();
    else event->ignore();
}

void MainWindow::dragLeaveEvent(QDragLeaveEvent* event)
{
    m_dropHint->dismiss();
    event->accept();
}

void MainWindow::dropEvent(QDropEvent* event)
{
    m_dropHint->dismiss();
    const DroppedPath d = classifyDrop(event->mimeData());
    if (d.kind == DropKind::None) {
        event->ignore();
        return;
    }
    event->acceptProposedAction();
    openPath(d.path);
}

} // namespace condense::ui
