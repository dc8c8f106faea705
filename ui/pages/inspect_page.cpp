#include "ui/pages/inspect_page.h"

#include <QEvent>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QVBoxLayout>

#include "core/io/checkpoint.h"
#include "ui/i18n/number_format.h"
#include "ui/models/tensor_group.h"

namespace condense::ui {

InspectPage::InspectPage(QWidget* parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("inspectPage"));
    m_modelBox = new QGroupBox(this);
    m_modelForm = new QFormLayout(m_modelBox);
    m_tensorBox = new QGroupBox(this);
    auto* tensorLayout = new QVBoxLayout(m_tensorBox);
    m_tensorHint = new QLabel(m_tensorBox);
    m_tensorHint->setForegroundRole(QPalette::PlaceholderText);
    m_tensorForm = new QFormLayout;
    tensorLayout->addWidget(m_tensorHint);
    tensorLayout->addLayout(m_tensorForm);
    tensorLayout->addStretch();

    m_coming = new QLabel(this);
    m_coming->setWordWrap(true);
    m_coming->setForegroundRole(QPalette::PlaceholderText);

    auto* boxes = new QHBoxLayout;
    boxes->addWidget(m_modelBox, 1);
    boxes->addWidget(m_tensorBox, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(boxes);
    layout->addWidget(m_coming);
    layout->addStretch();
    retranslate();
}

void InspectPage::setCheckpoint(std::shared_ptr<const io::Checkpoint> checkpoint)
{
    m_checkpoint = std::move(checkpoint);
    m_tensor = -1;
    retranslate();
}

void InspectPage::showTensor(int tensorIndex)
{
    m_tensor = (m_checkpoint && tensorIndex >= 0 && tensorIndex < static_cast<int>(m_checkpoint->tensors().size())) ? tensorIndex : -1;
    retranslate();
}

void InspectPage::setRows(QFormLayout* form, const QList<QPair<QString, QString>>& rows, bool monoFirst)
{
    while (form->rowCount() > 0) form->removeRow(0);
    bool first = true;
    for (const auto& [label, value] : rows) {
        auto* v = new QLabel(value);
        v->setTextFormat(Qt::PlainText);
        v->setTextInteractionFlags(Qt::TextSelectableByMouse);
        v->setWordWrap(true);
        if (first && monoFirst) {
            // Tensor names break badly at dots; keep them on one line.
            v->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
            v->setWordWrap(false);
        }
        first = false;
        form->addRow(label, v);
    }
}

void InspectPage::retranslate()
{
    m_modelBox->setTitle(tr("Model"));
    m_tensorBox->setTitle(tr("Selected tensor"));
    m_coming->setText(tr("Histograms, outlier maps and the whole-model heatmap of the selected tensor will appear here once "
                         "tensor analysis is available."));

    const QString yes = tr("yes");
    const QString no = tr("no");
    if (m_checkpoint) {
        const arch::ModelSpec& s = m_checkpoint->spec();
        const auto num = [](std::uint64_t v) { return v ? formatExactCount(v) : QStringLiteral("–"); };
        setRows(m_modelForm, {
                                 {tr("Vocabulary"), num(s.vocabSize)},
                                 {tr("Hidden size"), num(s.hiddenSize)},
                                 {tr("Feed-forward size"), num(s.intermediateSize)},
                                 {tr("Layers"), num(s.numLayers)},
                                 {tr("Attention heads"), num(s.numHeads)},
                                 {tr("Key/value heads"), num(s.numKvHeads)},
                                 {tr("Head size"), num(s.headDim)},
                                 {tr("Context length"), num(s.maxPositions)},
                                 {tr("RoPE base"), QLocale().toString(s.ropeTheta, 'g', 8)},
                                 {tr("Norm epsilon"), QString::number(s.rmsNormEps, 'g', 3)},
                                 {tr("Tied embeddings"), s.tieWordEmbeddings ? yes : no},
                             });
    } else {
        setRows(m_modelForm, {});
    }

    if (m_checkpoint && m_tensor >= 0) {
        const io::TensorEntry& t = m_checkpoint->tensors()[static_cast<std::size_t>(m_tensor)];
        const auto& files = m_checkpoint->files();
        const QString file = t.source < files.size() ? QFileInfo(QString::fromStdString(files[t.source])).fileName() : QString();
        const TensorGroupKey g = tensorGroupOf(t.name);
        QString layer = g.kind == TensorGroupKind::Layer ? QString::number(g.layer) : tr("not in a layer");
        setRows(m_tensorForm,
                {
                    {tr("Name"), QString::fromStdString(t.name)},
                    {tr("Layer"), layer},
                    {tr("Type"), QString::fromLatin1(dtypeName(t.dtype))},
                    {tr("Shape"), formatShape(t.shape)},
                    {tr("Elements"), formatExactCount(t.elements())},
                    {tr("Size"), t.bytes < 1000 ? formatBytes(t.bytes)
                                                : formatBytes(t.bytes) + QStringLiteral(" (") + tr("%1 bytes").arg(formatExactCount(t.bytes)) + QLatin1Char(')')},
                    {tr("File"), file},
                },
                true);
        m_tensorHint->hide();
    } else {
        setRows(m_tensorForm, {});
        m_tensorHint->setText(tr("Select a tensor in the tree on the left."));
        m_tensorHint->show();
    }
}

void InspectPage::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange) retranslate();
    QWidget::changeEvent(event);
}

} // namespace condense::ui
