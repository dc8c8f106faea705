#pragma once
// MemoryFitBar: what a plan needs against what the machine has, one bar per memory pool
// (RAM; unified memory; VRAM and RAM of a GPU machine): weights, KV cache, compute buffers and
// runtime overhead as coloured parts, the usable memory as a marker, red past it. The same
// figures are in the tooltip and the accessible description (for screen readers).
#include <QString>
#include <QVector>
#include <QWidget>

#include <cstdint>

namespace condense::ui {

class MemoryFitBar : public QWidget {
    Q_OBJECT
public:
    struct Pool {
        QString name;              // "RAM", "VRAM", ... (already translated)
        std::uint64_t usable = 0;
        std::uint64_t total = 0;
        std::uint64_t weights = 0, kvCache = 0, compute = 0, overhead = 0;
        std::uint64_t need() const { return weights + kvCache + compute + overhead; }
    };

    explicit MemoryFitBar(QWidget* parent = nullptr);

    void setPools(QVector<Pool> pools);
    const QVector<Pool>& pools() const { return m_pools; }
    QString summary() const; // the tooltip text

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    void refreshText();
    QVector<Pool> m_pools;
};

} // namespace condense::ui
