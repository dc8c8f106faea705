#include "ui/widgets/drop_zone.h"

#include <QDragEnterEvent>
#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QMimeData>
#include <QPainter>
#include <QPainterPath>
#include <QPushButton>
#include <QSvgRenderer>
#include <QToolButton>
#include <QVBoxLayout>

namespace condense::ui {

namespace {
QPixmap renderIcon(int size, qreal dpr)
{
    QSvgRenderer svg(QStringLiteral(":/icons/condense.svg"));
    QPixmap pm(QSize(size, size) * dpr);
    pm.fill(Qt::transparent);
    QPainter p(&pm);
    svg.render(&p);
    pm.setDevicePixelRatio(dpr);
    return pm;
}
} // namespace

DropZone::DropZone(QWidget* parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("dropZone"));
    setAcceptDrops(true);

    m_icon = new QLabel(this);
    m_icon->setAlignment(Qt::AlignCenter);
    m_icon->setPixmap(renderIcon(96, devicePixelRatioF()));

    m_headline = new QLabel(this);
    m_headline->setObjectName(QStringLiteral("dropHeadline"));
    m_headline->setAlignment(Qt::AlignCenter);
    m_headline->setWordWrap(true);
    QFont big = m_headline->font();
    big.setPointSizeF(big.pointSizeF() * 1.5);
    m_headline->setFont(big);

    m_hint = new QLabel(this);
    m_hint->setObjectName(QStringLiteral("dropHint"));
    m_hint->setAlignment(Qt::AlignCenter);
    m_hint->setWordWrap(true);
    m_hint->setTextFormat(Qt::PlainText);

    m_open = new QToolButton(this);
    m_open->setObjectName(QStringLiteral("dropOpenButton"));
    m_open->setPopupMode(QToolButton::MenuButtonPopup);
    m_open->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_open->setMinimumSize(130, 34);
    auto* menu = new QMenu(m_open);
    m_openFolder = menu->addAction(QString());
    m_open->setMenu(menu);
    connect(m_open, &QToolButton::clicked, this, &DropZone::openFileRequested);
    connect(m_openFolder, &QAction::triggered, this, &DropZone::openFolderRequested);

    m_demo = new QPushButton(this);
    m_demo->setObjectName(QStringLiteral("dropDemoButton"));
    m_demo->setDefault(true);
    m_demo->setMinimumSize(170, 34);
    connect(m_demo, &QPushButton::clicked, this, &DropZone::demoRequested);

    auto* buttons = new QHBoxLayout;
    buttons->addStretch();
    buttons->addWidget(m_open);
    buttons->addSpacing(12);
    buttons->addWidget(m_demo);
    buttons->addStretch();

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(48, 48, 48, 48);
    layout->addStretch(3);
    layout->addWidget(m_icon);
    layout->addSpacing(16);
    layout->addWidget(m_headline);
    layout->addSpacing(4);
    layout->addWidget(m_hint);
    layout->addSpacing(20);
    layout->addLayout(buttons);
    layout->addStretch(4);

    retranslate();
}

QString DropZone::hintFor(const DroppedPath& drop)
{
    const QString name = drop.path.section(QLatin1Char('/'), -1);
    QString text;
    switch (drop.kind) {
    case DropKind::None: return tr("Only files and folders on this computer can be opened.");
    case DropKind::Folder: text = tr("Release to open the model folder “%1”.").arg(name); break;
    case DropKind::Gguf: text = tr("Release to open the GGUF file “%1”.").arg(name); break;
    case DropKind::Safetensors: text = tr("Release to open the safetensors file “%1”.").arg(name); break;
    case DropKind::Pickle:
        text = tr("“%1” is a PyTorch pickle file: Condense refuses to load it because it can run code. Convert it to safetensors first.")
                   .arg(name);
        break;
    case DropKind::Unknown: text = tr("Release to try “%1”: Condense will check whether it is a model.").arg(name); break;
    }
    if (drop.localCount > 1) text += QLatin1Char(' ') + tr("Only the first of the %1 dropped items is opened.").arg(drop.localCount);
    return text;
}

QString DropZone::headlineText() const { return m_headline->text(); }
QString DropZone::hintText() const { return m_hint->text(); }

void DropZone::retranslate()
{
    m_headline->setText(tr("Drop a model folder or a .gguf file here"));
    if (m_drag.kind == DropKind::None)
        m_hint->setText(tr("Hugging Face folders, .safetensors and .gguf files are read, never changed."));
    else
        m_hint->setText(hintFor(m_drag));
    m_open->setText(tr("Open…"));
    m_open->setToolTip(tr("Open a .gguf or .safetensors file (the arrow opens a folder)"));
    m_openFolder->setText(tr("Open Folder…"));
    m_demo->setText(tr("Try the demo model"));
    m_demo->setToolTip(tr("Open tiny-llama-spm, a 6.8 M parameter model that comes with Condense"));
}

void DropZone::setDrag(const DroppedPath& drag)
{
    m_drag = drag;
    retranslate();
    update();
}

void DropZone::dragEnterEvent(QDragEnterEvent* event)
{
    const DroppedPath d = classifyDrop(event->mimeData());
    if (d.kind == DropKind::None) {
        event->ignore();
        return;
    }
    event->acceptProposedAction();
    setDrag(d);
}

void DropZone::dragMoveEvent(QDragMoveEvent* event)
{
    if (m_drag.kind != DropKind::None) event->acceptProposedAction();
    else event->ignore();
}

void DropZone::dragLeaveEvent(QDragLeaveEvent* event)
{
    setDrag({});
    event->accept();
}

void DropZone::dropEvent(QDropEvent* event)
{
    const DroppedPath d = classifyDrop(event->mimeData());
    setDrag({});
    if (d.kind == DropKind::None) {
        event->ignore();
        return;
    }
    event->acceptProposedAction();
    // Pickles are not refused here: the open job reports them with core's error, like any
    // other file it cannot open, so there is one path to the error banner.
    Q_EMIT pathDropped(d.path);
}

void DropZone::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QRectF r = QRectF(rect()).adjusted(16.5, 16.5, -16.5, -16.5);
    QPainterPath path;
    path.addRoundedRect(r, 14, 14);
    QColor border = palette().color(QPalette::Mid);
    QPen pen(border, 2, Qt::DashLine);
    if (m_drag.kind != DropKind::None) {
        const QColor accent = m_drag.kind == DropKind::Pickle ? QColor(200, 60, 50) : palette().color(QPalette::Highlight);
        QColor fill = accent;
        fill.setAlpha(28);
        p.fillPath(path, fill);
        pen = QPen(accent, 3, Qt::SolidLine);
    }
    p.setPen(pen);
    p.drawPath(path);
}

void DropZone::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange) retranslate();
    QWidget::changeEvent(event);
}

} // namespace condense::ui
