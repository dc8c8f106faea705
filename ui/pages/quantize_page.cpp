#include "ui/pages/quantize_page.h"

#include <QButtonGroup>
#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QDir>
#include <QEvent>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenu>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QShortcut>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <system_error>

#include "core/io/checkpoint.h"
#include "core/pipeline/calibrate_request.h"
#include "core/pipeline/calibration_set.h"
#include "core/plan/hf_format_plan.h"
#include "ui/i18n/error_text.h"
#include "ui/i18n/message_text.h"
#include "ui/i18n/number_format.h"
#include "ui/jobs/fs_path.h"
#include "ui/jobs/job_runner.h"
#include "ui/jobs/plan_jobs.h"
#include "ui/jobs/run_queue.h"
#include "ui/models/plan_table_model.h"
#include "ui/models/type_delegate.h"
#include "ui/widgets/memory_fit_bar.h"
#include "ui/widgets/profile_card.h"

#ifndef CONDENSE_PROFILES_SOURCE_DIR
#error "CONDENSE_PROFILES_SOURCE_DIR must name resources/profiles of the source tree"
#endif

namespace condense::ui {

namespace {
const QString kProfilesSlot = QStringLiteral("quantize-profiles");
const QString kModelSlot = QStringLiteral("quantize-model");
const QString kPlanSlot = QStringLiteral("quantize-plan");


// A profile's name without its parenthesised detail, for job titles: "Laptop, CPU only, 16 GB".
QString shortProfileName(const plan::HardwareProfile& p)
{
    const QString name = QString::fromStdString(p.name);
    const auto paren = name.indexOf(QStringLiteral(" ("));
    return paren > 0 ? name.left(paren) : name;
}

QString tokensPerSecond(double v)
{
    if (!(v > 0)) return QStringLiteral("–");
    return QLocale().toString(v, 'f', v < 10 ? 1 : 0);
}
} // namespace

QuantizePage::QuantizePage(JobRunner& runner, QWidget* parent) : QWidget(parent), m_runner(runner), m_queue(std::make_unique<RunQueue>())
{
    setObjectName(QStringLiteral("quantizePage"));
    const QByteArray xdg = qgetenv("XDG_CONFIG_HOME"), home = qgetenv("HOME");
    m_builtinCandidates = plan::builtinProfileDirCandidates(toFsPath(QCoreApplication::applicationDirPath()),
                                                            std::filesystem::path(CONDENSE_PROFILES_SOURCE_DIR));
    m_userDir = plan::userProfileDir(xdg.toStdString(), home.toStdString());

    // Profile cards.
    m_cardsLabel = new QLabel(this);
    m_cardsHost = new QWidget;
    m_cardsLayout = new QHBoxLayout(m_cardsHost);
    m_cardsLayout->setContentsMargins(0, 0, 0, 0);
    m_cardGroup = new QButtonGroup(this);
    m_cardGroup->setExclusive(true);
    auto* cardsScroll = m_cardsScroll = new QScrollArea(this);
    cardsScroll->setWidget(m_cardsHost);
    cardsScroll->setWidgetResizable(true);
    cardsScroll->setFrameShape(QFrame::NoFrame);
    cardsScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    cardsScroll->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    cardsScroll->setFixedHeight(ProfileCard(std::nullopt).sizeHint().height() + 22);

    // Settings row.
    m_contextLabel = new QLabel(this);
    m_context = new QComboBox(this);
    m_context->setObjectName(QStringLiteral("contextCombo"));
    for (int c : {2048, 4096, 8192, 16384, 32768, 65536, 131072}) m_context->addItem(QLocale().toString(c), c);
    m_context->setCurrentIndex(1);
    m_contextLabel->setBuddy(m_context);
    m_kvLabel = new QLabel(this);
    m_kv = new QComboBox(this);
    m_kv->setObjectName(QStringLiteral("kvCombo"));
    m_kv->addItem(QStringLiteral("f16"), static_cast<int>(plan::KvCacheType::F16));
    m_kv->addItem(QStringLiteral("q8_0"), static_cast<int>(plan::KvCacheType::Q8_0));
    m_kvLabel->setBuddy(m_kv);
    m_mixLabel = new QLabel(this);
    m_mix = new QComboBox(this);
    m_mix->setObjectName(QStringLiteral("mixCombo"));
    m_mix->addItem(QString(), QString());
    for (const std::string& mix : plan::mixesByQuality()) m_mix->addItem(QString::fromStdString(mix), QString::fromStdString(mix));
    m_mixLabel->setBuddy(m_mix);
    auto* settings = new QHBoxLayout;
    settings->addWidget(m_contextLabel);
    settings->addWidget(m_context);
    settings->addSpacing(12);
    settings->addWidget(m_kvLabel);
    settings->addWidget(m_kv);
    settings->addSpacing(12);
    settings->addWidget(m_mixLabel);
    settings->addWidget(m_mix);
    settings->addStretch();

    // The fit.
    m_verdict = new QLabel(this);
    m_verdict->setObjectName(QStringLiteral("fitVerdict"));
    m_verdict->setWordWrap(true);
    QFont bold = m_verdict->font();
    bold.setBold(true);
    m_verdict->setFont(bold);
    m_reasons = new QLabel(this);
    m_reasons->setObjectName(QStringLiteral("fitReasons"));
    m_reasons->setWordWrap(true);
    m_reasons->setForegroundRole(QPalette::PlaceholderText);
    m_fitBar = new MemoryFitBar(this);

    // The plan.
    m_planModel = new PlanTableModel(this);
    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setSourceModel(m_planModel);
    m_proxy->setSortRole(PlanTableModel::RawValueRole);
    m_table = new QTableView(this);
    m_table->setObjectName(QStringLiteral("planTable"));
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder);
    m_table->setItemDelegateForColumn(PlanTableModel::TypeColumn, new TypeDelegate(m_table));
    m_table->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed | QAbstractItemView::SelectedClicked);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_table->setAlternatingRowColors(true);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setStretchLastSection(true);
    connect(m_planModel, &PlanTableModel::typeEdited, this, &QuantizePage::onEdited);
    m_totals = new QLabel(this);
    m_totals->setObjectName(QStringLiteral("planTotals"));
    m_resetEdits = new QToolButton(this);
    m_resetEdits->setObjectName(QStringLiteral("resetEditsButton"));
    connect(m_resetEdits, &QToolButton::clicked, this, [this] {
        m_edits.clear();
        replan();
    });
    auto* totals = new QHBoxLayout;
    totals->addWidget(m_totals, 1);
    totals->addWidget(m_resetEdits);

    // Output and the primary button.
    m_outputLabel = new QLabel(this);
    m_output = new QLineEdit(this);
    m_output->setObjectName(QStringLiteral("outputFolder"));
    m_outputLabel->setBuddy(m_output);
    m_browse = new QToolButton(this);
    connect(m_browse, &QToolButton::clicked, this, &QuantizePage::browseOutput);
    m_start = new QPushButton(this);
    m_start->setObjectName(QStringLiteral("startButton"));
    m_start->setDefault(true);
    m_start->setEnabled(false);
    connect(m_start, &QPushButton::clicked, this, &QuantizePage::start);
    for (const QKeySequence& keys : {QKeySequence(Qt::CTRL | Qt::Key_Return), QKeySequence(Qt::CTRL | Qt::Key_Enter)}) {
        auto* shortcut = new QShortcut(keys, this);
        shortcut->setContext(Qt::WindowShortcut); // only while this page is showing
        connect(shortcut, &QShortcut::activated, this, [this] {
            if (m_start->isEnabled()) start();
        });
    }
    // The importance matrix: a file, one made here from a text (calibration), or none.
    m_imatrixLabel = new QLabel(this);
    m_imatrixEdit = new QLineEdit(this);
    m_imatrixEdit->setObjectName(QStringLiteral("imatrixPath"));
    m_imatrixEdit->setReadOnly(true);
    m_imatrixLabel->setBuddy(m_imatrixEdit);
    m_imatrixButton = new QToolButton(this);
    m_imatrixButton->setObjectName(QStringLiteral("imatrixButton"));
    m_imatrixButton->setPopupMode(QToolButton::InstantPopup);
    m_imatrixButton->setMenu(new QMenu(m_imatrixButton));
    connect(m_imatrixButton->menu(), &QMenu::aboutToShow, this, &QuantizePage::updateImatrixMenu);
    auto* imatrix = new QHBoxLayout;
    imatrix->addWidget(m_imatrixLabel);
    imatrix->addWidget(m_imatrixEdit, 1);
    imatrix->addWidget(m_imatrixButton);

    // The method: round to nearest (with the importance matrix when one is set) or GPTQ,
    // calibrated on a bundled set during the run.
    m_methodLabel = new QLabel(this);
    m_method = new QComboBox(this);
    m_method->setObjectName(QStringLiteral("methodCombo"));
    m_method->addItem(QString(), QStringLiteral("rtn"));
    m_method->addItem(QString(), QStringLiteral("gptq"));
    m_methodLabel->setBuddy(m_method);
    m_calibrationLabel = new QLabel(this);
    m_calibration = new QComboBox(this);
    m_calibration->setObjectName(QStringLiteral("calibrationCombo"));
    for (const std::string& set : pipeline::calibrationSetNames()) m_calibration->addItem(QString(), QString::fromStdString(set));
    m_calibrationLabel->setBuddy(m_calibration);
    // How much calibration text a calibrated run reads (its time grows with it).
    m_calibrationTokensLabel = new QLabel(this);
    m_calibrationTokensCombo = new QComboBox(this);
    m_calibrationTokensCombo->setObjectName(QStringLiteral("calibrationTokensCombo"));
    for (const qlonglong tokens : {16384, 32768, 65536, 131072, 262144}) m_calibrationTokensCombo->addItem(QString(), tokens);
    m_calibrationTokensCombo->setCurrentIndex(m_calibrationTokensCombo->findData(qlonglong{65536}));
    m_calibrationTokensLabel->setBuddy(m_calibrationTokensCombo);
    connect(m_calibrationTokensCombo, &QComboBox::currentIndexChanged, this,
            [this] { m_calibrationTokens = m_calibrationTokensCombo->currentData().toLongLong(); });
    m_methodHint = new QLabel(this);
    m_methodHint->setObjectName(QStringLiteral("methodHint"));
    m_methodHint->setWordWrap(true);
    auto* method = new QHBoxLayout;
    method->addWidget(m_methodLabel);
    method->addWidget(m_method);
    method->addSpacing(12);
    method->addWidget(m_calibrationLabel);
    method->addWidget(m_calibration);
    method->addSpacing(12);
    method->addWidget(m_calibrationTokensLabel);
    method->addWidget(m_calibrationTokensCombo);
    method->addStretch(1);
    connect(m_method, &QComboBox::currentIndexChanged, this, &QuantizePage::updateMethodHint);

    // The output format: the GGUF file of the plan, or a Hugging Face quantized folder.
    m_formatLabel = new QLabel(this);
    m_format = new QComboBox(this);
    m_format->setObjectName(QStringLiteral("formatCombo"));
    for (const char* f : {"gguf", "gptq", "awq", "compressed-tensors"}) m_format->addItem(QString(), QString::fromLatin1(f));
    m_formatLabel->setBuddy(m_format);
    m_formatHint = new QLabel(this);
    m_formatHint->setObjectName(QStringLiteral("formatHint"));
    m_formatHint->setWordWrap(true);
    auto* formatRow = new QHBoxLayout;
    formatRow->addWidget(m_formatLabel);
    formatRow->addWidget(m_format);
    formatRow->addSpacing(12);
    formatRow->addWidget(m_formatHint, 1);
    // An HF folder's encoding.
    m_hfRow = new QWidget(this);
    m_hfRow->setObjectName(QStringLiteral("hfSettings"));
    auto* hfRow = new QHBoxLayout(m_hfRow);
    hfRow->setContentsMargins(0, 0, 0, 0);
    m_bitsLabel = new QLabel(m_hfRow);
    m_bits = new QComboBox(m_hfRow);
    m_bits->setObjectName(QStringLiteral("bitsCombo"));
    m_bitsLabel->setBuddy(m_bits);
    m_groupLabel = new QLabel(m_hfRow);
    m_group = new QComboBox(m_hfRow);
    m_group->setObjectName(QStringLiteral("groupCombo"));
    for (int g : {32, 64, 128}) m_group->addItem(QLocale().toString(g), g);
    m_group->setCurrentIndex(2);
    m_groupLabel->setBuddy(m_group);
    m_symmetry = new QComboBox(m_hfRow);
    m_symmetry->setObjectName(QStringLiteral("symmetryCombo"));
    m_symmetry->addItem(QString(), true);
    m_symmetry->addItem(QString(), false);
    m_actOrder = new QCheckBox(m_hfRow);
    m_actOrder->setObjectName(QStringLiteral("actOrderCheck"));
    hfRow->addWidget(m_bitsLabel);
    hfRow->addWidget(m_bits);
    hfRow->addSpacing(12);
    hfRow->addWidget(m_groupLabel);
    hfRow->addWidget(m_group);
    hfRow->addSpacing(12);
    hfRow->addWidget(m_symmetry);
    hfRow->addSpacing(12);
    hfRow->addWidget(m_actOrder);
    hfRow->addStretch();
    connect(m_format, &QComboBox::currentIndexChanged, this, &QuantizePage::updateFormat);
    for (QComboBox* c : {m_bits, m_group, m_symmetry}) connect(c, &QComboBox::currentIndexChanged, this, &QuantizePage::showPlanView);
    connect(m_actOrder, &QCheckBox::toggled, this, &QuantizePage::showPlanView);

    auto* output = new QHBoxLayout;
    output->addWidget(m_outputLabel);
    output->addWidget(m_output, 1);
    output->addWidget(m_browse);
    output->addSpacing(12);
    output->addWidget(m_start);
    m_outputHint = new QLabel(this);
    m_outputHint->setObjectName(QStringLiteral("outputHint"));
    m_outputHint->setForegroundRole(QPalette::PlaceholderText);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 4);
    layout->addWidget(m_cardsLabel);
    layout->addWidget(cardsScroll);
    layout->addLayout(settings);
    layout->addWidget(m_verdict);
    layout->addWidget(m_fitBar);
    layout->addWidget(m_reasons);
    layout->addWidget(m_table, 1);
    layout->addLayout(totals);
    layout->addLayout(formatRow);
    layout->addLayout(method);
    layout->addWidget(m_methodHint); // under its row, the full width: the explanation is long
    layout->addWidget(m_hfRow);
    layout->addLayout(imatrix);
    layout->addLayout(output);
    layout->addWidget(m_outputHint);

    connect(m_context, &QComboBox::currentIndexChanged, this, &QuantizePage::replan);
    connect(m_kv, &QComboBox::currentIndexChanged, this, &QuantizePage::replan);
    connect(m_mix, &QComboBox::currentIndexChanged, this, [this] {
        m_edits.clear();
        replan();
    });
    connect(m_cardGroup, &QButtonGroup::buttonToggled, this, [this](QAbstractButton* b, bool checked) {
        auto* card = static_cast<ProfileCard*>(b);
        if (!checked || !card->profile()) return;
        m_selectedId = QString::fromStdString(card->profile()->id);
        m_cardsScroll->ensureWidgetVisible(card);
        replan();
    });

    connect(&m_runner, &JobRunner::finished, this, [this](JobId id, const QVariant& result) {
        if (id == m_profilesJob) {
            m_profiles = result.value<std::shared_ptr<const ProfileList>>();
            rebuildCards();
            Q_EMIT profilesLoaded();
            replan();
        } else if (id == m_modelJob) {
            m_model = result.value<std::shared_ptr<const pipeline::PlanModel>>();
            replan();
            if (isHfFormat()) showPlanView(); // the folder's plan needs the tensor list only
        } else if (id == m_planJob) {
            m_view = result.value<std::shared_ptr<const PlanView>>();
            showPlanView();
            Q_EMIT planReady();
        } else if (m_runs.count(id)) {
            Q_EMIT runFinished(result.value<std::shared_ptr<const RunResult>>());
        } else if (id == m_calibrateJob) {
            const QString path = result.toString();
            setImportanceMatrix(path);
            Q_EMIT calibrationFinished(path);
        }
    });
    connect(&m_runner, &JobRunner::failed, this, [this](JobId id, const Error& error) {
        const QString detail = ErrorText::detailLine(error);
        if (id == m_profilesJob) {
            Q_EMIT runFailed(tr("The hardware profiles could not be read."), detail);
        } else if (id == m_modelJob || id == m_planJob) {
            m_view.reset();
            showPlanView();
            m_verdict->setText(tr("No plan: %1").arg(detail));
            Q_EMIT planReady();
        } else if (m_runs.count(id)) {
            Q_EMIT runFailed(tr("“%1” did not finish.").arg(m_runs[id]), detail);
        } else if (id == m_calibrateJob) {
            Q_EMIT runFailed(tr("The importance matrix could not be made."), detail);
        }
    });
    connect(&m_runner, &JobRunner::ended, this, [this](JobId id) {
        if (id == m_profilesJob) m_profilesJob = 0;
        if (id == m_modelJob) m_modelJob = 0;
        if (id == m_planJob) m_planJob = 0;
        if (id == m_calibrateJob) m_calibrateJob = 0;
        m_runs.erase(id);
    });

    setTabOrder(m_context, m_kv);
    setTabOrder(m_kv, m_mix);
    setTabOrder(m_mix, m_table);
    setTabOrder(m_table, m_resetEdits);
    setTabOrder(m_resetEdits, m_format);
    setTabOrder(m_format, m_method);
    setTabOrder(m_method, m_calibration);
    setTabOrder(m_calibration, m_calibrationTokensCombo);
    setTabOrder(m_calibrationTokensCombo, m_bits);
    setTabOrder(m_bits, m_group);
    setTabOrder(m_group, m_symmetry);
    setTabOrder(m_symmetry, m_actOrder);
    setTabOrder(m_actOrder, m_imatrixButton);
    setTabOrder(m_imatrixButton, m_output);
    setTabOrder(m_output, m_browse);
    setTabOrder(m_browse, m_start);
    updateFormat();
    retranslate();
    reloadProfiles();
}

QuantizePage::~QuantizePage() = default;

void QuantizePage::setProfileFolders(std::vector<std::filesystem::path> builtinCandidates, std::filesystem::path userDir)
{
    m_builtinCandidates = std::move(builtinCandidates);
    m_userDir = std::move(userDir);
    reloadProfiles();
}

void QuantizePage::setEvaluation(const eval::EvalConfig& config, bool latency)
{
    m_eval = config;
    m_latency = latency;
}

void QuantizePage::reloadProfiles()
{
    pipeline::ProfilesRequest request{m_builtinCandidates, m_userDir};
    m_profilesJob = m_runner.startTyped(tr("Read hardware profiles"), kProfilesSlot,
                                        [request](jobs::ProgressSink&, std::stop_token) -> Result<std::shared_ptr<const ProfileList>> {
                                            auto r = pipeline::runProfiles(request);
                                            if (!r) return std::move(r).error();
                                            return std::make_shared<const ProfileList>(std::move(*r));
                                        }, true);
}

void QuantizePage::setCheckpoint(std::shared_ptr<const io::Checkpoint> checkpoint, const QString& defaultOutputFolder)
{
    m_checkpoint = std::move(checkpoint);
    setImportanceMatrix(QString()); // an importance matrix belongs to one model
    m_planOnly.clear();
    m_model.reset();
    m_view.reset();
    m_edits.clear();
    m_output->setText(QDir::toNativeSeparators(defaultOutputFolder));
    showPlanView();
    if (m_checkpoint) readModel(m_checkpoint->path());
}

void QuantizePage::setPlanOnly(const QString& folder, const QString& defaultOutputFolder)
{
    setCheckpoint(nullptr, defaultOutputFolder);
    m_planOnly = toFsPath(folder);
    showPlanView();
    readModel(m_planOnly);
}

void QuantizePage::readModel(const std::filesystem::path& path)
{
    m_modelJob = m_runner.startTyped(tr("Read the tensor list"), kModelSlot,
                                     [path](jobs::ProgressSink& sink, std::stop_token stop) -> Result<std::shared_ptr<const pipeline::PlanModel>> {
                                         auto r = pipeline::readPlanModel(path, sink, stop);
                                         if (!r) return std::move(r).error();
                                         return std::make_shared<const pipeline::PlanModel>(std::move(*r));
                                     }, true);
}

void QuantizePage::rebuildCards()
{
    for (QAbstractButton* b : m_cardGroup->buttons()) m_cardGroup->removeButton(b);
    while (QLayoutItem* item = m_cardsLayout->takeAt(0)) {
        if (item->widget()) item->widget()->deleteLater();
        delete item;
    }
    ProfileCard* previous = nullptr;
    ProfileCard* toSelect = nullptr;
    // Smallest machines first: CPU, then Apple, then GPU, each by memory.
    std::vector<const plan::HardwareProfile*> ordered;
    if (m_profiles)
        for (const auto& p : *m_profiles) ordered.push_back(&p);
    std::stable_sort(ordered.begin(), ordered.end(), [](const plan::HardwareProfile* a, const plan::HardwareProfile* b) {
        if (a->kind != b->kind) return static_cast<int>(a->kind) < static_cast<int>(b->kind);
        return a->primary().totalBytes < b->primary().totalBytes;
    });
    if (m_selectedId.isEmpty()) m_selectedId = QStringLiteral("laptop-cpu-16gb"); // UI.md's example machine, when present
    {
        for (const plan::HardwareProfile* pp : ordered) {
            const plan::HardwareProfile& p = *pp;
            auto* card = new ProfileCard(p, m_cardsHost);
            m_cardGroup->addButton(card);
            m_cardsLayout->addWidget(card);
            connect(card, &ProfileCard::modelDropped, this, [this, id = QString::fromStdString(p.id)](const QString& path) { runDropped(path, id); });
            connect(card, &ProfileCard::editRequested, this, [this, p] { Q_EMIT profileEditRequested(p); });
            if (QString::fromStdString(p.id) == m_selectedId) toSelect = card;
            if (previous) setTabOrder(previous, card);
            previous = card;
        }
    }
    auto* add = new ProfileCard(std::nullopt, m_cardsHost);
    connect(add, &ProfileCard::clicked, this, [this] { Q_EMIT profileEditRequested(std::nullopt); });
    m_cardsLayout->addWidget(add);
    m_cardsLayout->addStretch();
    if (previous) setTabOrder(previous, add);
    if (!toSelect && !m_cardGroup->buttons().isEmpty()) toSelect = static_cast<ProfileCard*>(m_cardGroup->buttons().first());
    if (toSelect) {
        const QSignalBlocker block(m_cardGroup);
        toSelect->setChecked(true);
        m_selectedId = QString::fromStdString(toSelect->profile()->id);
        QMetaObject::invokeMethod(this, [this, toSelect] { m_cardsScroll->ensureWidgetVisible(toSelect); }, Qt::QueuedConnection);
    }
}

ProfileCard* QuantizePage::card(const QString& id) const
{
    for (QAbstractButton* b : m_cardGroup->buttons()) {
        auto* c = static_cast<ProfileCard*>(b);
        if (c->profile() && QString::fromStdString(c->profile()->id) == id) return c;
    }
    return nullptr;
}

bool QuantizePage::selectProfile(const QString& id)
{
    ProfileCard* c = card(id);
    if (!c) return false;
    c->setChecked(true);
    return true;
}

QString QuantizePage::selectedProfileId() const { return m_selectedId; }

void QuantizePage::setContext(int tokens)
{
    int i = m_context->findData(tokens);
    if (i < 0) {
        m_context->addItem(QLocale().toString(tokens), tokens);
        i = m_context->count() - 1;
    }
    m_context->setCurrentIndex(i);
}

void QuantizePage::setMix(const QString& mix) { m_mix->setCurrentIndex(std::max(0, m_mix->findData(mix))); }

void QuantizePage::setImportanceMatrix(const QString& path)
{
    if (m_imatrix == path) return;
    m_imatrix = path;
    m_imatrixEdit->setText(path.isEmpty() ? tr("none") : QDir::toNativeSeparators(path));
    Q_EMIT importanceMatrixChanged(path);
}

void QuantizePage::updateImatrixMenu()
{
    QMenu* menu = m_imatrixButton->menu();
    menu->clear();
    menu->addAction(tr("Choose a file…"), this, [this] {
        auto* dialog = new QFileDialog(this, tr("Importance Matrix"), outputFolder(), tr("Importance matrices (*.gguf *.dat);;All files (*)"));
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->setFileMode(QFileDialog::ExistingFile);
        connect(dialog, &QFileDialog::fileSelected, this, &QuantizePage::setImportanceMatrix);
        dialog->open();
    });
    QAction* make = menu->addAction(tr("Make one from a text…"), this, [this] {
        auto* dialog = new QFileDialog(this, tr("Calibration Text"), outputFolder(), tr("Text files (*.txt);;All files (*)"));
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->setFileMode(QFileDialog::ExistingFile);
        connect(dialog, &QFileDialog::fileSelected, this, [this](const QString& text) { calibrate(text); });
        dialog->open();
    });
    make->setEnabled(m_checkpoint != nullptr && m_calibrateJob == 0);
    QMenu* fromSet = menu->addMenu(tr("Make one from a bundled set"));
    fromSet->setEnabled(make->isEnabled());
    for (int i = 0; i < m_calibration->count(); ++i) {
        const QString set = m_calibration->itemData(i).toString();
        fromSet->addAction(m_calibration->itemText(i), this, [this, set] { calibrate(set); });
    }
    QAction* none = menu->addAction(tr("None"), this, [this] { setImportanceMatrix(QString()); });
    none->setEnabled(!m_imatrix.isEmpty());
}

JobId QuantizePage::calibrate(const QString& textFile)
{
    if (!m_checkpoint || textFile.isEmpty()) return 0;
    pipeline::CalibrateRequest request;
    request.model = m_checkpoint->path();
    if (pipeline::isCalibrationSetName(textFile.toStdString())) request.set = textFile.toStdString();
    else request.text = toFsPath(textFile);
    request.output = toFsPath(outputFolder()) / (pipeline::runModelName(m_checkpoint->path()) + "-imatrix.gguf");
    const QString title = tr("Calibrate %1 on %2").arg(QString::fromStdString(pipeline::runModelName(m_checkpoint->path())),
                                                          QFileInfo(textFile).fileName());
    m_calibrateJob = m_runner.startTyped(title, QString(), [request](jobs::ProgressSink& sink, std::stop_token stop) -> Result<QString> {
        std::error_code ec;
        std::filesystem::create_directories(request.output.parent_path(), ec);
        if (ec) return makeError(ErrorCode::IoError, request.output.parent_path().string(), "cannot create the folder: " + ec.message());
        auto r = pipeline::runCalibrate(request, sink, stop);
        if (!r) return std::move(r).error();
        return fromFsPath(r->output);
    });
    return m_calibrateJob;
}

void QuantizePage::setMethod(const QString& method) { m_method->setCurrentIndex(std::max(0, m_method->findData(method))); }

QString QuantizePage::method() const { return m_method->currentData().toString(); }

void QuantizePage::setCalibrationSet(const QString& set)
{
    m_calibration->setCurrentIndex(std::max(0, m_calibration->findData(set)));
}

QString QuantizePage::calibrationSet() const { return m_calibration->currentData().toString(); }

void QuantizePage::setCalibrationTokens(std::int64_t tokens)
{
    if (tokens <= 0) tokens = 65536;
    int i = m_calibrationTokensCombo->findData(static_cast<qlonglong>(tokens));
    if (i < 0) {
        m_calibrationTokensCombo->addItem(tr("%L1 tokens").arg(static_cast<qlonglong>(tokens)), static_cast<qlonglong>(tokens));
        i = m_calibrationTokensCombo->count() - 1;
    }
    m_calibrationTokensCombo->setCurrentIndex(i);
    m_calibrationTokens = tokens;
}

void QuantizePage::updateMethodHint()
{
    const QString m = method();
    const bool calibrated = m != QLatin1String("rtn");
    const bool hf = isHfFormat();
    m_calibration->setEnabled(calibrated);
    m_calibrationLabel->setEnabled(calibrated);
    m_calibrationTokensCombo->setEnabled(calibrated);
    m_calibrationTokensLabel->setEnabled(calibrated);
    m_imatrixButton->setEnabled(!calibrated && !hf);
    m_imatrixEdit->setEnabled(!calibrated && !hf);
    m_imatrixLabel->setEnabled(!hf);
    m_actOrder->setEnabled(hf && m == QLatin1String("gptq"));
    if (!hf)
        m_methodHint->setText(calibrated ? tr("Runs the model over the calibration text block by block and rounds each weight so the layer's output "
                                              "error stays small: the same file size and types, lower KL divergence, minutes instead of seconds.")
                                         : tr("Rounds every block to its nearest values (llama-quantize's way); an importance matrix, when "
                                              "set, keeps the columns that matter more exact."));
    else if (m == QLatin1String("gptq"))
        m_methodHint->setText(tr("GPTQ: runs the model over the calibration text block by block and solves each layer's rounding so its "
                                 "output error stays small; minutes instead of seconds."));
    else if (m == QLatin1String("awq"))
        m_methodHint->setText(tr("AWQ: runs the model over the calibration text, scales up the channels that matter most before "
                                 "rounding and searches the clipping; minutes instead of seconds."));
    else
        m_methodHint->setText(tr("Rounds every group of weights to its nearest grid value: seconds, no calibration text."));
    showPlanView();
}

QString QuantizePage::formatName(const QString& format)
{
    if (format == QLatin1String("gptq")) return tr("GPTQ folder");
    if (format == QLatin1String("awq")) return tr("AWQ folder");
    if (format == QLatin1String("compressed-tensors")) return tr("compressed-tensors folder");
    return tr("GGUF file");
}

void QuantizePage::setFormat(const QString& format) { m_format->setCurrentIndex(std::max(0, m_format->findData(format))); }

QString QuantizePage::format() const { return m_format->currentData().toString(); }

void QuantizePage::setBits(int bits)
{
    if (const int i = m_bits->findData(bits); i >= 0) m_bits->setCurrentIndex(i);
}

int QuantizePage::bits() const { return m_bits->currentData().toInt(); }

void QuantizePage::setGroupSize(int group)
{
    if (const int i = m_group->findData(group); i >= 0) m_group->setCurrentIndex(i);
}

int QuantizePage::groupSize() const { return m_group->currentData().toInt(); }

void QuantizePage::setSymmetric(bool symmetric)
{
    if (m_symmetry->isEnabled()) m_symmetry->setCurrentIndex(m_symmetry->findData(symmetric));
}

bool QuantizePage::symmetric() const { return m_symmetry->currentData().toBool(); }

void QuantizePage::setActOrder(bool on) { m_actOrder->setChecked(on); }

bool QuantizePage::actOrder() const { return m_actOrder->isEnabled() && m_actOrder->isChecked(); }

void QuantizePage::rebuildMethods()
{
    // Round to nearest first, then the format's calibrated method; the position is kept.
    const QString calibrated = format() == QLatin1String("awq") ? QStringLiteral("awq") : QStringLiteral("gptq");
    if (m_method->count() == 2 && m_method->itemData(1).toString() == calibrated) return;
    const QSignalBlocker block(m_method);
    const int keep = std::max(0, m_method->currentIndex());
    m_method->clear();
    m_method->addItem(tr("Round to nearest"), QStringLiteral("rtn"));
    m_method->addItem(calibrated == QLatin1String("awq") ? tr("AWQ (calibrated)") : tr("GPTQ (calibrated)"), calibrated);
    m_method->setCurrentIndex(keep);
}

void QuantizePage::updateFormat()
{
    const QString f = format();
    const bool hf = isHfFormat();
    const bool awq = f == QLatin1String("awq");
    rebuildMethods();
    {
        const QSignalBlocker block(m_bits);
        const int keep = m_bits->count() ? bits() : 4;
        m_bits->clear();
        const std::vector<int> choices = awq ? std::vector<int>{4} : std::vector<int>{2, 3, 4, 8};
        for (int b : choices) m_bits->addItem(QLocale().toString(b), b);
        const int i = m_bits->findData(keep);
        m_bits->setCurrentIndex(i >= 0 ? i : m_bits->findData(4));
    }
    m_bits->setEnabled(!awq);
    {
        // AWQ GEMM stores zero points: asymmetric only.
        const QSignalBlocker block(m_symmetry);
        if (awq) m_symmetry->setCurrentIndex(1);
        else if (!m_symmetry->isEnabled()) m_symmetry->setCurrentIndex(0);
        m_symmetry->setEnabled(!awq);
    }
    m_hfRow->setVisible(hf);
    m_mix->setEnabled(!hf);
    m_mixLabel->setEnabled(!hf);
    if (f == QLatin1String("gptq")) m_formatHint->setText(tr("A Hugging Face folder that transformers and vLLM load as GPTQ."));
    else if (awq) m_formatHint->setText(tr("A Hugging Face folder that AutoAWQ and vLLM load as AWQ (GEMM)."));
    else if (hf) m_formatHint->setText(tr("A Hugging Face folder that vLLM and llm-compressor load (compressed-tensors, pack-quantized)."));
    else m_formatHint->setText(tr("One file that llama.cpp, Ollama and LM Studio load, with the plan's types."));
    updateMethodHint();
}

void QuantizePage::updateOutputHint()
{
    if (!m_checkpoint) {
        m_outputHint->clear();
        return;
    }
    const std::filesystem::path& input = m_checkpoint->path();
    if (isHfFormat() && m_hfPlan)
        m_outputHint->setText(tr("Each run gets its own folder here, holding the %1 “%2” and its report.")
                                  .arg(formatName(format()), QString::fromStdString(pipeline::runOutputFolderName(input, m_hfPlan->mix))));
    else if (!isHfFormat() && m_view)
        m_outputHint->setText(tr("Each run gets its own folder here, holding the GGUF file “%1” and its report.")
                                  .arg(QString::fromStdString(pipeline::runOutputFileName(input, m_view->plan.mix))));
    else
        m_outputHint->clear();
}

void QuantizePage::setOutputFolder(const QString& folder) { m_output->setText(QDir::toNativeSeparators(folder)); }

QString QuantizePage::outputFolder() const { return QDir::fromNativeSeparators(m_output->text().trimmed()); }

std::optional<plan::HardwareProfile> QuantizePage::profileById(const QString& id) const
{
    if (!m_profiles) return std::nullopt;
    for (const auto& p : *m_profiles)
        if (QString::fromStdString(p.id) == id) return p;
    return std::nullopt;
}

plan::FitOptions QuantizePage::fitOptions() const
{
    plan::FitOptions o;
    o.context = static_cast<std::uint64_t>(m_context->currentData().toInt());
    o.kvType = static_cast<plan::KvCacheType>(m_kv->currentData().toInt());
    const QString mix = m_mix->currentData().toString();
    if (!mix.isEmpty()) o.mixes = {mix.toStdString()};
    return o;
}

void QuantizePage::replan()
{
    const auto profile = profileById(m_selectedId);
    if (!m_model || !profile) return;
    const auto model = m_model;
    const auto options = fitOptions();
    const auto edits = m_edits;
    m_planJob = m_runner.startTyped(tr("Plan for %1").arg(shortProfileName(*profile)), kPlanSlot,
                                    [model, profile = *profile, options, edits](jobs::ProgressSink&, std::stop_token) -> Result<std::shared_ptr<const PlanView>> {
                                        auto r = computePlanView(*model, profile, options, edits);
                                        if (!r) return std::move(r).error();
                                        return std::make_shared<const PlanView>(std::move(*r));
                                    }, true);
}

void QuantizePage::onEdited(const QString& name, const QString& type)
{
    if (isHfFormat()) return; // a folder's plan has no per-tensor types to choose
    m_edits[name.toStdString()] = type.toStdString();
    replan();
}

void QuantizePage::showHfPlan()
{
    m_hfPlan.reset();
    m_fitBar->setPools({});
    m_fitBar->setVisible(false); // the profiles' memory fit sizes GGUF files
    m_resetEdits->setVisible(false);
    m_verdict->setStyleSheet(QString());
    if (!m_model) {
        m_planModel->clear();
        m_verdict->setText(m_checkpoint || isPlanOnly() ? tr("Planning…") : QString());
        m_reasons->clear();
        m_totals->clear();
        m_start->setEnabled(false);
        updateOutputHint();
        return;
    }
    plan::HfFormatOptions o;
    o.format = plan::planFormatFromKey(format().toStdString()).value_or(plan::PlanFormat::Gptq);
    o.method = plan::planMethodFromKey(method().toStdString()).value_or(plan::PlanMethod::Rtn);
    o.encoding = {static_cast<std::uint32_t>(bits()), static_cast<std::uint32_t>(groupSize()), symmetric()};
    o.actOrder = actOrder();
    m_hfPlan = plan::planHfFormat(m_model->tensors, o);
    m_planModel->setPlan(*m_hfPlan, {});
    const QString name = formatName(format());
    const bool ggufInput = m_checkpoint && m_checkpoint->format() == io::CheckpointFormat::Gguf;
    if (ggufInput) {
        m_verdict->setText(tr("A %1 is made from a Hugging Face model folder (safetensors); this model is a GGUF file.").arg(name));
        m_verdict->setStyleSheet(QStringLiteral("color: #c02020"));
    } else {
        m_verdict->setText(tr("%1: %2-bit weights in groups of %3 · weights %4")
                               .arg(name)
                               .arg(bits())
                               .arg(groupSize())
                               .arg(formatBytes(m_hfPlan->totalBytes())));
    }
    m_reasons->setText(tr("The attention and MLP projections of every block are quantized; embeddings, the output layer and the norms "
                          "keep their type. The machine profiles size GGUF files: a folder runs where its loaders run."));
    m_totals->setText(tr("%1 tensors · %2 · %3 bits per weight")
                          .arg(m_hfPlan->tensors.size())
                          .arg(formatBytes(m_hfPlan->totalBytes()))
                          .arg(QLocale().toString(m_hfPlan->bitsPerWeight(), 'f', 2)));
    m_start->setEnabled(m_checkpoint && !ggufInput && !m_hfPlan->tensors.empty());
    updateOutputHint();
}

void QuantizePage::showPlanView()
{
    if (isHfFormat()) {
        showHfPlan();
        return;
    }
    m_hfPlan.reset();
    m_fitBar->setVisible(true);
    updateOutputHint();
    if (!m_view) {
        m_planModel->clear();
        m_fitBar->setPools({});
        m_verdict->setText(m_checkpoint || isPlanOnly() ? tr("Planning…") : QString());
        m_reasons->clear();
        m_totals->clear();
        m_resetEdits->setVisible(false);
        m_start->setEnabled(false);
        return;
    }
    const PlanView& v = *m_view;
    const auto profile = profileById(QString::fromStdString(v.fit.profileId));
    QSet<QString> edited;
    for (const auto& [name, type] : m_edits) edited.insert(QString::fromStdString(name));
    m_planModel->setPlan(v.plan, edited);

    // Memory pools.
    QVector<MemoryFitBar::Pool> pools;
    if (profile) {
        const auto pool = [](const QString& name, const plan::MemoryPool& p, const plan::MemoryBreakdown& b) {
            return MemoryFitBar::Pool{name, p.usableBytes, p.totalBytes, b.weights, b.kvCache, b.compute, b.overhead};
        };
        switch (profile->kind) {
        case plan::DeviceKind::Cpu: pools << pool(tr("RAM"), profile->ram, v.device); break;
        case plan::DeviceKind::Apple: pools << pool(tr("Unified"), profile->unified, v.device); break;
        case plan::DeviceKind::Gpu:
            pools << pool(tr("VRAM"), profile->vram, v.device);
            if (v.host.total() > 0) pools << pool(tr("RAM"), profile->ram, v.host);
            break;
        }
    }
    m_fitBar->setPools(pools);

    const QString mix = QString::fromStdString(v.plan.mix);
    if (v.plan.tensors.empty() || !v.fit.fits) {
        m_verdict->setText(tr("Nothing fits: the smallest plan needs %1, the profile has %2 usable.")
                               .arg(formatBytes(v.fit.chosen.needed), formatBytes(v.fit.chosen.available)));
        m_verdict->setStyleSheet(QStringLiteral("color: #c02020"));
    } else {
        QString text = (v.fits ? tr("%1 fits: %2 of %3 usable") : tr("%1 does not fit after your changes: %2 of %3 usable"))
                           .arg(mix, formatBytes(v.device.total()), formatBytes(profile ? profile->primary().usableBytes : 0));
        if (profile && profile->kind == plan::DeviceKind::Gpu)
            text += QStringLiteral(" · ") + (v.fit.chosen.fullOffload ? tr("all %1 layers on the GPU").arg(v.fit.layers)
                                                                      : tr("%1 of %2 layers on the GPU").arg(v.fit.chosen.gpuLayers).arg(v.fit.layers));
        text += QStringLiteral(" · ") + tr("file %1").arg(formatBytes(v.fit.fileBytes));
        text += QStringLiteral(" · ") + tr("about %1 tokens/s generating, %2 tokens/s reading the prompt (predicted)")
                                           .arg(tokensPerSecond(v.fit.tgTokensPerSecond), tokensPerSecond(v.fit.ppTokensPerSecond));
        m_verdict->setText(text);
        m_verdict->setStyleSheet(v.fits ? QString() : QStringLiteral("color: #c02020"));
    }
    QStringList reasons;
    for (const Message& m : v.fit.reasons) reasons << MessageText::text(m);
    for (const Message& m : v.fit.warnings) reasons << MessageText::text(m);
    if (isPlanOnly())
        reasons.prepend(tr("This folder holds only config.json: the plan shows what the model will need once downloaded. "
                           "Open the folder with its weights to quantize it."));
    m_reasons->setText(reasons.join(QLatin1Char('\n')));

    if (v.plan.tensors.empty()) {
        m_totals->clear();
        m_resetEdits->setVisible(!m_edits.empty());
        m_start->setEnabled(false);
        return;
    }
    const std::size_t fallbacks = v.plan.fallbacks();
    QString totals = tr("%1 tensors · %2 · %3 bits per weight")
                         .arg(v.plan.tensors.size())
                         .arg(formatBytes(v.plan.totalBytes()))
                         .arg(QLocale().toString(v.plan.bitsPerWeight(), 'f', 2));
    if (fallbacks) totals += QStringLiteral(" · ") + tr("%1 fallbacks").arg(fallbacks);
    if (!m_edits.empty()) totals += QStringLiteral(" · ") + tr("%1 changed by you").arg(m_edits.size());
    m_totals->setText(totals);
    m_resetEdits->setVisible(!m_edits.empty());
    m_start->setEnabled(m_checkpoint && !v.plan.tensors.empty() && v.fit.fits);
}

void QuantizePage::browseOutput()
{
    auto* dialog = new QFileDialog(this, tr("Output Folder"), outputFolder());
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setFileMode(QFileDialog::Directory);
    dialog->setOption(QFileDialog::ShowDirsOnly, true);
    connect(dialog, &QFileDialog::fileSelected, this, &QuantizePage::setOutputFolder);
    dialog->open();
}

void QuantizePage::start()
{
    if (isHfFormat()) {
        if (!m_checkpoint || !m_hfPlan || !m_start->isEnabled()) return;
        const QString model = QString::fromStdString(pipeline::runModelName(m_checkpoint->path()));
        const QString title = tr("Quantize %1 as %2").arg(model, QString::fromStdString(m_hfPlan->mix));
        startRun(title, m_checkpoint->path(), plan::HardwareProfile{}, m_hfPlan, toFsPath(outputFolder()));
        return;
    }
    if (!m_checkpoint || !m_view || m_view->plan.tensors.empty()) return;
    const auto profile = profileById(QString::fromStdString(m_view->fit.profileId));
    if (!profile) return;
    const QString model = QString::fromStdString(pipeline::runModelName(m_checkpoint->path()));
    const QString title = tr("Quantize %1 as %2 for %3").arg(model, QString::fromStdString(m_view->plan.mix), shortProfileName(*profile));
    startRun(title, m_checkpoint->path(), *profile, m_view->plan, toFsPath(outputFolder()));
}

void QuantizePage::runDropped(const QString& path, const QString& profileId)
{
    const auto profile = profileById(profileId);
    if (!profile || path.isEmpty()) return;
    const std::filesystem::path input = toFsPath(path);
    const QString model = QString::fromStdString(pipeline::runModelName(input));
    // Next to the input, as the issue of a drop is "make this fit that machine".
    const QString base = QDir::cleanPath(path + QStringLiteral("/.."));
    const QString title = tr("Quantize %1 for %2").arg(model, shortProfileName(*profile));
    startRun(title, input, *profile, std::nullopt, toFsPath(base));
}

JobId QuantizePage::startRun(const QString& title, const std::filesystem::path& input, const plan::HardwareProfile& profile,
                             std::optional<plan::QuantPlan> planned, const std::filesystem::path& base)
{
    RunQueue* queue = m_queue.get();
    const RunQueue::Ticket ticket = queue->take();
    const auto options = fitOptions();
    const eval::EvalConfig evalConfig = m_eval;
    // An HF folder's plan carries its format, method, encoding and act-order (pipeline_run.h);
    // a GGUF run calibrates for GPTQ only (a drop on a card always makes a GGUF).
    const bool hfRun = planned && planned->format != plan::PlanFormat::Gguf;
    const std::string method = this->method().toStdString();
    const bool calibrated = hfRun ? method != "rtn" : method == "gptq";
    const std::string calibration = calibrated ? calibrationSet().toStdString() : std::string();
    const std::int64_t calibrationTokens = m_calibrationTokens;
    const std::filesystem::path imatrixPath =
        m_imatrix.isEmpty() || calibrated || hfRun ? std::filesystem::path() : toFsPath(m_imatrix);
    const bool latency = m_latency;
    const std::pair<double, double> prediction =
        planned && m_view && !hfRun ? std::pair{m_view->fit.tgTokensPerSecond, m_view->fit.ppTokensPerSecond} : std::pair{0.0, 0.0};
    const JobId id = m_runner.startTyped(
        title, QString(),
        [queue, ticket, input, profile, planned, base, options, evalConfig, latency, prediction,
         imatrixPath, method, calibrated, calibration, calibrationTokens](jobs::ProgressSink& sink, std::stop_token stop) -> Result<std::shared_ptr<const RunResult>> {
            if (queue->ahead(ticket) > 0) sink.report(jobs::Stage::Queued, 0, 0, {});
            if (!queue->wait(ticket, stop)) return makeError(ErrorCode::Cancelled, {}, "cancelled while queued");
            RunQueue::Hold hold(*queue, ticket);
            plan::QuantPlan plan;
            double predictedTg = 0, predictedPp = 0;
            if (planned) {
                plan = *planned;
                predictedTg = prediction.first;
                predictedPp = prediction.second;
            } else {
                auto model = pipeline::readPlanModel(input, sink, stop);
                if (!model) return std::move(model).error();
                auto view = computePlanView(*model, profile, options, {});
                if (!view) return std::move(view).error();
                if (!view->fit.fits || view->plan.tensors.empty())
                    return makeError(ErrorCode::InvalidArgument, input.string(),
                                     "does not fit " + profile.name + ": needs " + std::to_string(view->fit.chosen.needed) + " bytes, " +
                                         std::to_string(view->fit.chosen.available) + " usable");
                plan = std::move(view->plan);
                predictedTg = view->fit.tgTokensPerSecond;
                predictedPp = view->fit.ppTokensPerSecond;
            }
            auto folder = freshRunFolder(base, pipeline::runModelName(input), plan.mix);
            if (!folder) return std::move(folder).error();
            pipeline::RunRequest request;
            request.input = input;
            request.outputDir = *folder;
            request.plan = std::move(plan);
            request.runsFolder = base;
            request.eval = evalConfig;
            request.imatrix = imatrixPath;
            if (calibrated) {
                request.method = method;
                request.calibration = calibration;
                request.calibrationTokens = calibrationTokens;
            }
            request.latency = latency;
            auto out = pipeline::runPipeline(request, sink, stop);
            if (!out) {
                std::error_code ec;
                std::filesystem::remove(*folder, ec); // only when empty: a cancelled run leaves nothing
                return std::move(out).error();
            }
            auto result = std::make_shared<RunResult>();
            result->report = std::move(out->report);
            result->reportPath = out->reportJson;
            result->runsFolder = base;
            result->profileName = profile.name;
            result->predictedTg = predictedTg;
            result->predictedPp = predictedPp;
            return std::shared_ptr<const RunResult>(std::move(result));
        });
    m_runs[id] = title;
    Q_EMIT runStarted(id);
    return id;
}

void QuantizePage::retranslate()
{
    m_cardsLabel->setText(tr("The machine it must run on (drop a model on a card to quantize it for that machine):"));
    m_contextLabel->setText(tr("&Context:"));
    m_context->setToolTip(tr("Tokens the model must hold at once (llama.cpp's -c): the KV cache grows with it"));
    m_kvLabel->setText(tr("&KV cache:"));
    m_mixLabel->setText(tr("&Mix:"));
    m_mix->setItemText(0, tr("Best that fits"));
    m_resetEdits->setText(tr("&Reset my changes"));
    m_imatrixLabel->setText(tr("&Importance matrix:"));
    m_imatrixEdit->setText(m_imatrix.isEmpty() ? tr("none") : QDir::toNativeSeparators(m_imatrix));
    m_imatrixEdit->setToolTip(tr("llama-imatrix's statistic of how much each weight column matters: the quantizer keeps those more exact"));
    m_imatrixButton->setText(tr("Choose…"));
    m_methodLabel->setText(tr("M&ethod:"));
    m_method->setItemText(0, tr("Round to nearest"));
    m_method->setItemText(1, m_method->itemData(1).toString() == QLatin1String("awq") ? tr("AWQ (calibrated)") : tr("GPTQ (calibrated)"));
    m_method->setToolTip(tr("How each tensor's blocks get their values; the types and the file size are the plan's either way"));
    m_calibrationLabel->setText(tr("Ca&libration:"));
    const QStringList setNames{tr("General prose"), tr("Code"), tr("Chat"), tr("Multilingual")};
    for (int i = 0; i < m_calibration->count() && i < setNames.size(); ++i) m_calibration->setItemText(i, setNames[i]);
    m_calibration->setToolTip(tr("The text GPTQ runs the model over (bundled; a held-out part of it is never used)"));
    m_calibrationTokensLabel->setText(tr("&Tokens:"));
    for (int i = 0; i < m_calibrationTokensCombo->count(); ++i)
        m_calibrationTokensCombo->setItemText(i, tr("%L1 tokens").arg(m_calibrationTokensCombo->itemData(i).toLongLong()));
    m_calibrationTokensCombo->setToolTip(
        tr("How much of the calibration text the run reads: more tokens take longer and calibrate more evenly"));
    m_formatLabel->setText(tr("O&utput format:"));
    for (int i = 0; i < m_format->count(); ++i) m_format->setItemText(i, formatName(m_format->itemData(i).toString()));
    m_format->setToolTip(tr("What the run writes: one GGUF file, or a Hugging Face folder of quantized weights"));
    m_bitsLabel->setText(tr("&Bits:"));
    m_bits->setToolTip(tr("Bits per weight of the quantized linears (AWQ: 4)"));
    m_groupLabel->setText(tr("&Group size:"));
    m_group->setToolTip(tr("Weights that share one scale: smaller groups are more exact and a little larger"));
    m_symmetry->setItemText(0, tr("Symmetric"));
    m_symmetry->setItemText(1, tr("Asymmetric (zero points)"));
    m_symmetry->setToolTip(tr("Asymmetric grids store a zero point per group (AWQ always does)"));
    m_symmetry->setAccessibleName(tr("Symmetry"));
    m_actOrder->setText(tr("&Act-order"));
    m_actOrder->setToolTip(tr("GPTQ quantizes the columns that matter most first (desc_act)"));
    updateFormat();
    m_outputLabel->setText(tr("&Output folder:"));
    m_browse->setText(tr("Browse…"));
    m_start->setText(tr("&Quantize and test"));
    m_start->setToolTip(tr("Quantize with this plan, then compare the result with the original (Ctrl+Enter)"));
    m_planModel->retranslate();
    showPlanView();
}

void QuantizePage::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange) retranslate();
    QWidget::changeEvent(event);
}

} // namespace condense::ui
