#include "ui/widgets/model_summary.h"

#include <QEvent>
#include <QFormLayout>
#include <QLabel>
#include <QStringList>
#include <QVBoxLayout>

#include <algorithm>
#include <vector>

#include "core/io/checkpoint.h"
#include "ui/i18n/error_text.h"
#include "ui/i18n/number_format.h"

namespace condense::ui {

ModelSummary::ModelSummary(QWidget* parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("modelSummary"));
    m_name = new QLabel(this);
    m_name->setObjectName(QStringLiteral("summaryName"));
    m_name->setTextFormat(Qt::PlainText);
    m_name->setWordWrap(true);
    QFont big = m_name->font();
    big.setBold(true);
    big.setPointSizeF(big.pointSizeF() * 1.3);
    m_name->setFont(big);

    m_form = new QFormLayout;
    m_form->setContentsMargins(0, 0, 0, 0);
    m_form->setHorizontalSpacing(12);
    m_form->setVerticalSpacing(3);
    m_form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_format = addRow("summaryFormat");
    m_architecture = addRow("summaryArchitecture");
    m_parameters = addRow("summaryParameters");
    m_size = addRow("summarySize");
    m_types = addRow("summaryTypes");
    m_layers = addRow("summaryLayers");

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_name);
    layout->addLayout(m_form);
    retranslate();
}

QLabel* ModelSummary::addRow(const char* objectName)
{
    auto* value = new QLabel(this);
    value->setObjectName(QString::fromLatin1(objectName));
    value->setTextFormat(Qt::PlainText);
    value->setWordWrap(true);
    value->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_form->addRow(new QLabel(this), value);
    return value;
}

void ModelSummary::setCheckpoint(std::shared_ptr<const io::Checkpoint> checkpoint, const QString& name)
{
    m_checkpoint = std::move(checkpoint);
    m_modelName = name;
    retranslate();
}

void ModelSummary::setModelName(const QString& name)
{
    m_modelName = name;
    if (m_checkpoint) m_name->setText(name);
}

void ModelSummary::retranslate()
{
    const QString labels[] = {tr("Format"), tr("Architecture"), tr("Parameters"), tr("Size"), tr("Types"), tr("Layers")};
    for (int i = 0; i < m_form->rowCount() && i < 6; ++i)
        if (auto* item = m_form->itemAt(i, QFormLayout::LabelRole))
            if (auto* label = qobject_cast<QLabel*>(item->widget())) label->setText(labels[i]);

    if (!m_checkpoint) {
        m_name->setText(tr("No model open"));
        for (QLabel* l : {m_format, m_architecture, m_parameters, m_size, m_types, m_layers}) l->clear();
        return;
    }
    const io::Checkpoint& ck = *m_checkpoint;
    const arch::ModelSpec& spec = ck.spec();
    m_name->setText(m_modelName);
    m_name->setToolTip(QString::fromStdString(ck.path().string()));
    m_format->setText(ErrorText::formatText(ck.format()));

    QString arch = QString::fromStdString(spec.hfArchitecture.empty() ? spec.modelType : spec.hfArchitecture);
    if (!spec.hfArchitecture.empty() && !spec.modelType.empty() && spec.modelType != spec.hfArchitecture)
        arch += QStringLiteral(" · ") + QString::fromStdString(spec.modelType);
    if (arch.isEmpty()) arch = tr("unknown");
    if (!spec.known()) arch += QStringLiteral(" — ") + tr("inspection only");
    m_architecture->setText(arch);

    const std::uint64_t params = ck.parameterCount();
    m_parameters->setText(formatCount(params));
    m_parameters->setToolTip(tr("%1 parameters").arg(formatExactCount(params)));
    const std::uint64_t bytes = ck.totalTensorBytes();
    m_size->setText(formatBytes(bytes));
    m_size->setToolTip(tr("%1 bytes of tensor data").arg(formatExactCount(bytes)));

    // Types by share of the bytes, largest first.
    const auto perType = ck.bytesPerDtype();
    std::vector<std::pair<DType, std::uint64_t>> types(perType.begin(), perType.end());
    std::sort(types.begin(), types.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    QStringList parts;
    for (const auto& [type, b] : types) {
        QString part = QString::fromLatin1(dtypeName(type));
        if (types.size() > 1 && bytes > 0) {
            const double share = static_cast<double>(b) / static_cast<double>(bytes);
            part += QLatin1Char(' ') + (share < 0.01 ? QStringLiteral("<1%") : formatPercent(share));
        }
        parts << part;
    }
    m_types->setText(parts.join(QStringLiteral(", ")));

    if (spec.numLayers > 0) {
        QString layers = tr("%1 layers, hidden size %2").arg(spec.numLayers).arg(spec.hiddenSize);
        if (spec.numHeads > 0) layers += QStringLiteral(", ") + tr("%1 heads (%2 KV)").arg(spec.numHeads).arg(spec.numKvHeads);
        m_layers->setText(layers);
    } else {
        m_layers->setText(tr("unknown"));
    }
}

void ModelSummary::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange) retranslate();
    QWidget::changeEvent(event);
}

} // namespace condense::ui
