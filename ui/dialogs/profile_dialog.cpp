#include "ui/dialogs/profile_dialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QVBoxLayout>

#include <cmath>

namespace condense::ui {

namespace {
constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

QDoubleSpinBox* spin(double max, double step, int decimals, const QString& suffix)
{
    auto* s = new QDoubleSpinBox;
    s->setRange(0, max);
    s->setSingleStep(step);
    s->setDecimals(decimals);
    s->setSuffix(suffix);
    return s;
}

QString slug(const QString& name)
{
    QString id = name.toLower();
    id.replace(QRegularExpression(QStringLiteral("[^a-z0-9.]+")), QStringLiteral("-"));
    id.remove(QRegularExpression(QStringLiteral("^-+|-+$")));
    return id.isEmpty() ? QStringLiteral("my-machine") : id;
}
} // namespace

ProfileDialog::PoolFields ProfileDialog::makePool(const QString& title)
{
    PoolFields f;
    f.box = new QGroupBox(title, this);
    auto* form = new QFormLayout(f.box);
    f.total = spin(4096, 1, 1, QStringLiteral(" GiB"));
    f.usable = spin(4096, 1, 1, QStringLiteral(" GiB"));
    f.bandwidth = spin(100000, 10, 1, QStringLiteral(" GB/s"));
    form->addRow(tr("&Total:"), f.total);
    form->addRow(tr("&Usable by the model:"), f.usable);
    form->addRow(tr("&Bandwidth:"), f.bandwidth);
    return f;
}

ProfileDialog::ProfileDialog(std::optional<plan::HardwareProfile> profile, QWidget* parent) : QDialog(parent), m_original(std::move(profile))
{
    setObjectName(QStringLiteral("profileDialog"));
    setWindowTitle(m_original ? tr("Edit Hardware Profile") : tr("Add Hardware Profile"));
    m_name = new QLineEdit(this);
    m_id = new QLineEdit(this);
    m_id->setReadOnly(true);
    m_kind = new QComboBox(this);
    m_kind->addItem(tr("CPU only (llama.cpp on the CPU)"), static_cast<int>(plan::DeviceKind::Cpu));
    m_kind->addItem(tr("Apple silicon (unified memory, Metal)"), static_cast<int>(plan::DeviceKind::Apple));
    m_kind->addItem(tr("NVIDIA GPU (CUDA) with system RAM"), static_cast<int>(plan::DeviceKind::Gpu));
    m_primary = makePool(tr("Memory"));
    m_host = makePool(tr("System RAM"));
    m_cpuTflops = spin(1000, 0.1, 2, QStringLiteral(" TFLOPS"));
    m_gpuTflops = spin(10000, 1, 1, QStringLiteral(" TFLOPS"));
    m_tgEfficiency = spin(1, 0.05, 2, QString());
    m_tgEfficiency->setMinimum(0.05);
    m_formats = new QLineEdit(this);
    m_formats->setPlaceholderText(QStringLiteral("Q8_0, Q6_K, Q5_K_M, Q4_K_M"));
    m_notes = new QLineEdit(this);
    m_error = new QLabel(this);
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color: #c02020"));
    m_error->hide();

    auto* form = new QFormLayout;
    form->addRow(tr("&Name:"), m_name);
    form->addRow(tr("Id:"), m_id);
    form->addRow(tr("&Kind:"), m_kind);
    auto* compute = new QFormLayout;
    compute->addRow(tr("&CPU compute:"), m_cpuTflops);
    compute->addRow(tr("&GPU compute:"), m_gpuTflops);
    compute->addRow(tr("Share of &bandwidth reached:"), m_tgEfficiency);
    compute->addRow(tr("&Preferred formats:"), m_formats);
    compute->addRow(tr("N&otes:"), m_notes);
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &ProfileDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_primary.box);
    layout->addWidget(m_host.box);
    layout->addLayout(compute);
    layout->addWidget(m_error);
    layout->addWidget(m_buttons);

    plan::HardwareProfile p;
    if (m_original) {
        p = *m_original;
    } else {
        p.name = tr("My laptop").toStdString();
        p.ram = {true, static_cast<std::uint64_t>(16 * kGiB), static_cast<std::uint64_t>(12 * kGiB), 50};
        p.cpuTflops = 0.5;
        p.tgEfficiency = 0.6;
        p.preferredFormats = {"Q8_0", "Q6_K", "Q5_K_M", "Q4_K_M"};
    }
    m_name->setText(QString::fromStdString(p.name));
    m_id->setText(m_original ? QString::fromStdString(p.id) : slug(m_name->text()));
    if (!m_original) connect(m_name, &QLineEdit::textChanged, this, [this](const QString& t) { m_id->setText(slug(t)); });
    m_kind->setCurrentIndex(m_kind->findData(static_cast<int>(p.kind)));
    const plan::MemoryPool& primary = p.kind == plan::DeviceKind::Gpu ? p.vram : p.kind == plan::DeviceKind::Apple ? p.unified : p.ram;
    m_primary.total->setValue(static_cast<double>(primary.totalBytes) / kGiB);
    m_primary.usable->setValue(static_cast<double>(primary.usableBytes) / kGiB);
    m_primary.bandwidth->setValue(primary.bandwidthGBs);
    if (p.kind == plan::DeviceKind::Gpu) {
        m_host.total->setValue(static_cast<double>(p.ram.totalBytes) / kGiB);
        m_host.usable->setValue(static_cast<double>(p.ram.usableBytes) / kGiB);
        m_host.bandwidth->setValue(p.ram.bandwidthGBs);
    }
    m_cpuTflops->setValue(p.cpuTflops);
    m_gpuTflops->setValue(p.gpuTflops);
    m_tgEfficiency->setValue(p.tgEfficiency);
    QStringList formats;
    for (const auto& f : p.preferredFormats) formats << QString::fromStdString(f);
    m_formats->setText(formats.join(QStringLiteral(", ")));
    m_notes->setText(QString::fromStdString(p.notes));
    connect(m_kind, &QComboBox::currentIndexChanged, this, &ProfileDialog::updateKind);
    updateKind();
}

void ProfileDialog::updateKind()
{
    const auto kind = static_cast<plan::DeviceKind>(m_kind->currentData().toInt());
    m_primary.box->setTitle(kind == plan::DeviceKind::Gpu ? tr("Video memory (VRAM)") : kind == plan::DeviceKind::Apple ? tr("Unified memory") : tr("RAM"));
    m_host.box->setVisible(kind == plan::DeviceKind::Gpu);
    m_gpuTflops->setEnabled(kind != plan::DeviceKind::Cpu);
    adjustSize();
}

bool ProfileDialog::validate()
{
    plan::HardwareProfile p = m_original.value_or(plan::HardwareProfile{});
    p.id = m_id->text().toStdString();
    p.name = m_name->text().trimmed().toStdString();
    p.kind = static_cast<plan::DeviceKind>(m_kind->currentData().toInt());
    p.runtime = p.kind == plan::DeviceKind::Gpu ? "llama.cpp-cuda" : p.kind == plan::DeviceKind::Apple ? "llama.cpp-metal" : "llama.cpp-cpu";
    const auto pool = [](const PoolFields& f) {
        return plan::MemoryPool{true, static_cast<std::uint64_t>(std::llround(f.total->value() * kGiB)),
                                static_cast<std::uint64_t>(std::llround(f.usable->value() * kGiB)), f.bandwidth->value()};
    };
    p.ram = {};
    p.vram = {};
    p.unified = {};
    if (p.kind == plan::DeviceKind::Gpu) {
        p.vram = pool(m_primary);
        p.ram = pool(m_host);
    } else if (p.kind == plan::DeviceKind::Apple) {
        p.unified = pool(m_primary);
    } else {
        p.ram = pool(m_primary);
    }
    p.cpuTflops = m_cpuTflops->value();
    p.gpuTflops = p.kind == plan::DeviceKind::Cpu ? 0.0 : m_gpuTflops->value();
    p.tgEfficiency = m_tgEfficiency->value();
    p.preferredFormats.clear();
    for (const QString& f : m_formats->text().split(QLatin1Char(','), Qt::SkipEmptyParts))
        if (!f.trimmed().isEmpty()) p.preferredFormats.push_back(f.trimmed().toUpper().toStdString());
    p.notes = m_notes->text().toStdString();
    p.builtin = false;
    // The file the window writes must read back: check it with core's own parser.
    auto parsed = plan::parseHardwareProfile(plan::hardwareProfileJson(p), p.id + ".json");
    if (!parsed) {
        m_error->setText(tr("This profile is not valid: %1").arg(QString::fromStdString(parsed.error().detail)));
        m_error->show();
        return false;
    }
    m_error->hide();
    m_result = std::move(*parsed);
    return true;
}

void ProfileDialog::accept()
{
    if (validate()) QDialog::accept();
}

} // namespace condense::ui
