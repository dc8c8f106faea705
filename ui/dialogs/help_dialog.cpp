#include "ui/dialogs/help_dialog.h"

#include <QDialogButtonBox>
#include <QEvent>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace condense::ui {

HelpDialog::HelpDialog(QWidget* parent) : QDialog(parent)
{
    setObjectName(QStringLiteral("helpDialog"));
    m_text = new QTextBrowser(this);
    m_text->setOpenExternalLinks(false);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::close);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_text);
    layout->addWidget(buttons);
    resize(560, 480);
    retranslate();
}

QString HelpDialog::helpHtml()
{
    return tr("<h3>Condense quick help</h3>"
              "<p>Condense shows what is inside a local language model, quantizes it for the machine it must "
              "run on, and measures what the quantization cost.</p>"
              "<h4>Open a model</h4>"
              "<ul><li>Drop a Hugging Face model folder (config.json and .safetensors files), a single "
              ".safetensors file or a .gguf file onto the window.</li>"
              "<li>Or use File ▸ Open File… (Ctrl+O) or File ▸ Open Folder… (Ctrl+Shift+O).</li>"
              "<li>“Try the demo model” opens tiny-llama-spm, a small model that comes with Condense.</li>"
              "<li>A folder with only config.json opens for planning: see what the model would need before "
              "you download it.</li>"
              "<li>PyTorch .bin and .pt files are refused: they can run code when loaded. Convert them to "
              "safetensors first.</li></ul>"
              "<h4>Inspect</h4>"
              "<p>Every tensor is analysed in the background. Select one in the tree to see its histogram, its "
              "outlier map and its largest weights; “Whole model” shows a heatmap of all layers (click a cell to "
              "select that tensor). “Preview as” shows the error a quantization type would cause.</p>"
              "<h4>Quantize</h4>"
              "<p>Pick the machine (a profile card), the context length and the KV-cache type: Condense picks the "
              "best type that fits and shows the plan, which you can edit. “Quantize and test” writes the GGUF (or, with "
              "another Output format, a GPTQ, AWQ or compressed-tensors folder for transformers and vLLM) and "
              "compares it with the original. Dropping a model on a card does all of it for that machine.</p>"
              "<h4>Results</h4>"
              "<p>Size, perplexity, KL divergence, agreement and speed, original → quantized; the per-layer chart "
              "(click a layer to inspect it) and every run of the model by size.</p>"
              "<h4>Keyboard</h4>"
              "<table><tr><td>Ctrl+O</td><td>Open a file</td></tr>"
              "<tr><td>Ctrl+Shift+O</td><td>Open a folder</td></tr>"
              "<tr><td>Ctrl+Enter</td><td>Quantize and test (Quantize page)</td></tr>"
              "<tr><td>Arrow keys, Enter</td><td>Move on the heatmap, select the tensor</td></tr>"
              "<tr><td>Esc</td><td>Cancel the focused job</td></tr>"
              "<tr><td>F1</td><td>This help</td></tr>"
              "<tr><td>Ctrl+Q</td><td>Quit</td></tr></table>");
}

void HelpDialog::retranslate()
{
    setWindowTitle(tr("Condense Help"));
    m_text->setHtml(helpHtml());
}

void HelpDialog::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange) retranslate();
    QDialog::changeEvent(event);
}

} // namespace condense::ui
