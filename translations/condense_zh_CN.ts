<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>TensorStatistic</name>
    <message>
        <source>Kurtosis</source>
        <translation>峰度</translation>
    </message>
    <message>
        <source>Outliers &gt; 3σ</source>
        <translation>离群值 &gt; 3σ</translation>
    </message>
    <message>
        <source>Abs max / std</source>
        <translation>绝对最大值 / 标准差</translation>
    </message>
    <message>
        <source>Standard deviation</source>
        <translation>标准差</translation>
    </message>
    <message>
        <source>Preview error</source>
        <translation>预览误差</translation>
    </message>
    <message>
        <source>Excess kurtosis: 0 for a normal distribution, large for heavy tails.</source>
        <translation>超额峰度：正态分布为 0，重尾分布时较大。</translation>
    </message>
    <message>
        <source>Share of weights more than 3 standard deviations from the mean.</source>
        <translation>偏离均值超过 3 个标准差的权重所占比例。</translation>
    </message>
    <message>
        <source>Largest absolute weight in standard deviations: how far the worst outlier sits.</source>
        <translation>以标准差计的最大绝对权重：最严重的离群值有多远。</translation>
    </message>
    <message>
        <source>Standard deviation of the weights.</source>
        <translation>权重的标准差。</translation>
    </message>
    <message>
        <source>Relative RMS error of the weights after quantizing and dequantizing them with the preview type.</source>
        <translation>使用预览类型量化再反量化后权重的相对均方根误差。</translation>
    </message>
</context>
<context>
    <name>condense::ui::CommandLine</name>
    <message>
        <source>Condense: see inside local language models and quantize them.</source>
        <translation>Condense：查看并量化本地语言模型。</translation>
    </message>
    <message>
        <source>A model folder, .safetensors or .gguf file to open.</source>
        <translation>要打开的模型文件夹、.safetensors 或 .gguf 文件。</translation>
    </message>
    <message>
        <source>Open the bundled demo model.</source>
        <translation>打开自带的演示模型。</translation>
    </message>
    <message>
        <source>Save a PNG of the window to &lt;file&gt; once the model is open, then quit.</source>
        <translation>模型打开后将窗口截图保存为 PNG 文件 &lt;file&gt;，然后退出。</translation>
    </message>
    <message>
        <source>Use &lt;file&gt; for the settings instead of the user&apos;s.</source>
        <translation>使用 &lt;file&gt; 作为设置文件，而不是用户的设置。</translation>
    </message>
    <message>
        <source>Use language &lt;code&gt; (en, de, fr, zh_CN or system) for this run.</source>
        <translation>本次运行使用语言 &lt;code&gt;（en、de、fr、zh_CN 或 system）。</translation>
    </message>
    <message>
        <source>open one model at a time</source>
        <translation>一次只能打开一个模型</translation>
    </message>
    <message>
        <source>Show &lt;page&gt; once the model is open: inspect, heatmap, quantize or results.</source>
        <translation>模型打开后显示 &lt;page&gt;：inspect、heatmap、quantize 或 results。</translation>
    </message>
    <message>
        <source>Select tensor &lt;name&gt; once the model is open.</source>
        <translation>模型打开后选中张量 &lt;name&gt;。</translation>
    </message>
    <message>
        <source>unknown page &apos;%1&apos; (inspect, heatmap, quantize, results)</source>
        <translation>未知页面“%1”（inspect、heatmap、quantize、results）</translation>
    </message>
    <message>
        <source>Choose output format &lt;format&gt; on the Quantize page: gguf, gptq, awq or compressed-tensors.</source>
        <translation>在量化页面选择输出格式 &lt;format&gt;：gguf、gptq、awq 或 compressed-tensors。</translation>
    </message>
    <message>
        <source>unknown format &apos;%1&apos; (gguf, gptq, awq, compressed-tensors)</source>
        <translation>未知格式“%1”（gguf、gptq、awq、compressed-tensors）</translation>
    </message>
</context>
<context>
    <name>condense::ui::ComparisonChart</name>
    <message>
        <source>%1, %2
%3 (%4 bits per weight)
KLD %5 · perplexity %6 · same top token %7</source>
        <translation>%1，%2
%3（每个权重 %4 位）
KLD %5 · 困惑度 %6 · 首选词元一致 %7</translation>
    </message>
    <message>
        <source>File size (MB)</source>
        <translation>文件大小（MB）</translation>
    </message>
    <message>
        <source>KL divergence to the original (mean)</source>
        <translation>与原模型的 KL 散度（均值）</translation>
    </message>
    <message>
        <source>Perplexity</source>
        <translation>困惑度</translation>
    </message>
    <message>
        <source>runs</source>
        <translation>运行</translation>
    </message>
    <message>
        <source>Pareto front</source>
        <translation>帕累托前沿</translation>
    </message>
    <message>
        <source>this run</source>
        <translation>本次运行</translation>
    </message>
    <message>
        <source>original</source>
        <translation>原模型</translation>
    </message>
</context>
<context>
    <name>condense::ui::DropZone</name>
    <message>
        <source>Only files and folders on this computer can be opened.</source>
        <translation>只能打开本机上的文件和文件夹。</translation>
    </message>
    <message>
        <source>Release to open the model folder “%1”.</source>
        <translation>松开即可打开模型文件夹“%1”。</translation>
    </message>
    <message>
        <source>Release to open the GGUF file “%1”.</source>
        <translation>松开即可打开 GGUF 文件“%1”。</translation>
    </message>
    <message>
        <source>Release to open the safetensors file “%1”.</source>
        <translation>松开即可打开 safetensors 文件“%1”。</translation>
    </message>
    <message>
        <source>“%1” is a PyTorch pickle file: Condense refuses to load it because it can run code. Convert it to safetensors first.</source>
        <translation>“%1”是 PyTorch pickle 文件：它可能执行代码，Condense 拒绝加载。请先将其转换为 safetensors。</translation>
    </message>
    <message>
        <source>Release to try “%1”: Condense will check whether it is a model.</source>
        <translation>松开以尝试打开“%1”：Condense 会检查它是否为模型。</translation>
    </message>
    <message>
        <source>Only the first of the %1 dropped items is opened.</source>
        <translation>拖入了 %1 个项目，只会打开第一个。</translation>
    </message>
    <message>
        <source>Drop a model folder or a .gguf file here</source>
        <translation>将模型文件夹或 .gguf 文件拖放到这里</translation>
    </message>
    <message>
        <source>Hugging Face folders, .safetensors and .gguf files are read, never changed.</source>
        <translation>Hugging Face 文件夹、.safetensors 和 .gguf 文件只会被读取，绝不会被修改。</translation>
    </message>
    <message>
        <source>Open…</source>
        <translation>打开…</translation>
    </message>
    <message>
        <source>Open a .gguf or .safetensors file (the arrow opens a folder)</source>
        <translation>打开 .gguf 或 .safetensors 文件（箭头可打开文件夹）</translation>
    </message>
    <message>
        <source>Open Folder…</source>
        <translation>打开文件夹…</translation>
    </message>
    <message>
        <source>Try the demo model</source>
        <translation>试用演示模型</translation>
    </message>
    <message>
        <source>Open tiny-llama-spm, a 6.8 M parameter model that comes with Condense</source>
        <translation>打开 tiny-llama-spm，这是 Condense 自带的一个 680 万参数的模型</translation>
    </message>
</context>
<context>
    <name>condense::ui::ErrorText</name>
    <message>
        <source>No error.</source>
        <translation>没有错误。</translation>
    </message>
    <message>
        <source>The operation was cancelled.</source>
        <translation>操作已取消。</translation>
    </message>
    <message>
        <source>The file or folder does not exist.</source>
        <translation>文件或文件夹不存在。</translation>
    </message>
    <message>
        <source>The file could not be read or written.</source>
        <translation>无法读取或写入文件。</translation>
    </message>
    <message>
        <source>The disk is full.</source>
        <translation>磁盘已满。</translation>
    </message>
    <message>
        <source>The file ends too early; it may be incomplete (an interrupted download?).</source>
        <translation>文件提前结束，可能不完整（下载中断？）。</translation>
    </message>
    <message>
        <source>The file is not of the kind its name says.</source>
        <translation>文件的实际类型与其名称不符。</translation>
    </message>
    <message>
        <source>This version of the file format is not supported.</source>
        <translation>不支持此版本的文件格式。</translation>
    </message>
    <message>
        <source>The file is damaged or not valid.</source>
        <translation>文件已损坏或无效。</translation>
    </message>
    <message>
        <source>The file points to data beyond its end.</source>
        <translation>文件引用了超出其末尾的数据。</translation>
    </message>
    <message>
        <source>The file declares sizes too large to be real.</source>
        <translation>文件声明的大小大得不合常理。</translation>
    </message>
    <message>
        <source>The file uses a data type Condense does not know.</source>
        <translation>文件使用了 Condense 不认识的数据类型。</translation>
    </message>
    <message>
        <source>This is not a model Condense can open. Use a Hugging Face model folder, a .safetensors file or a .gguf file.</source>
        <translation>这不是 Condense 能打开的模型。请使用 Hugging Face 模型文件夹、.safetensors 文件或 .gguf 文件。</translation>
    </message>
    <message>
        <source>PyTorch pickle files (.bin, .pt) can run code when they are loaded, so Condense never opens them. Convert the model to safetensors first.</source>
        <translation>PyTorch pickle 文件（.bin、.pt）在加载时可能执行代码，因此 Condense 从不打开它们。请先将模型转换为 safetensors。</translation>
    </message>
    <message>
        <source>This model architecture is not supported yet.</source>
        <translation>尚不支持此模型架构。</translation>
    </message>
    <message>
        <source>A tensor the model needs is missing.</source>
        <translation>缺少模型所需的张量。</translation>
    </message>
    <message>
        <source>The tokenizer files are missing.</source>
        <translation>缺少分词器文件。</translation>
    </message>
    <message>
        <source>Unknown error.</source>
        <translation>未知错误。</translation>
    </message>
    <message>
        <source>Opening</source>
        <translation>正在打开</translation>
    </message>
    <message>
        <source>Reading tensors</source>
        <translation>正在读取张量</translation>
    </message>
    <message>
        <source>Converting</source>
        <translation>正在转换</translation>
    </message>
    <message>
        <source>Quantizing</source>
        <translation>正在量化</translation>
    </message>
    <message>
        <source>Writing</source>
        <translation>正在写入</translation>
    </message>
    <message>
        <source>Checking the written file</source>
        <translation>正在检查写入的文件</translation>
    </message>
    <message>
        <source>Analyzing</source>
        <translation>正在分析</translation>
    </message>
    <message>
        <source>Evaluating</source>
        <translation>正在评估</translation>
    </message>
    <message>
        <source>Working</source>
        <translation>处理中</translation>
    </message>
    <message>
        <source>Hugging Face folder</source>
        <translation>Hugging Face 文件夹</translation>
    </message>
    <message>
        <source>safetensors file</source>
        <translation>safetensors 文件</translation>
    </message>
    <message>
        <source>GGUF file</source>
        <translation>GGUF 文件</translation>
    </message>
    <message>
        <source>Could not open “%1”: %2</source>
        <translation>无法打开“%1”：%2</translation>
    </message>
    <message>
        <source>Measuring speed</source>
        <translation>正在测量速度</translation>
    </message>
    <message>
        <source>Generating</source>
        <translation>正在生成</translation>
    </message>
    <message>
        <source>Queued</source>
        <translation>排队中</translation>
    </message>
    <message>
        <source>Calibrating</source>
        <translation>正在校准</translation>
    </message>
    <message>
        <source>This cannot be done.</source>
        <translation>无法完成此操作。</translation>
    </message>
</context>
<context>
    <name>condense::ui::HeatmapPlot</name>
    <message>
        <source>%1
%2: pending</source>
        <translation>%1
%2：等待中</translation>
    </message>
    <message>
        <source>%1
%2: %3</source>
        <translation>%1
%2：%3</translation>
    </message>
    <message>
        <source>n/a</source>
        <translation>不适用</translation>
    </message>
    <message>
        <source>outside</source>
        <translation>块外</translation>
    </message>
    <message>
        <source>Tensor role</source>
        <translation>张量角色</translation>
    </message>
    <message>
        <source>Layer</source>
        <translation>层</translation>
    </message>
</context>
<context>
    <name>condense::ui::HelpDialog</name>
    <message>
        <source>Condense Help</source>
        <translation>Condense 帮助</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Condense quick help&lt;/h3&gt;&lt;p&gt;Condense shows what is inside a local language model, quantizes it for the machine it must run on, and measures what the quantization cost.&lt;/p&gt;&lt;h4&gt;Open a model&lt;/h4&gt;&lt;ul&gt;&lt;li&gt;Drop a Hugging Face model folder (config.json and .safetensors files), a single .safetensors file or a .gguf file onto the window.&lt;/li&gt;&lt;li&gt;Or use File ▸ Open File… (Ctrl+O) or File ▸ Open Folder… (Ctrl+Shift+O).&lt;/li&gt;&lt;li&gt;“Try the demo model” opens tiny-llama-spm, a small model that comes with Condense.&lt;/li&gt;&lt;li&gt;A folder with only config.json opens for planning: see what the model would need before you download it.&lt;/li&gt;&lt;li&gt;PyTorch .bin and .pt files are refused: they can run code when loaded. Convert them to safetensors first.&lt;/li&gt;&lt;/ul&gt;&lt;h4&gt;Inspect&lt;/h4&gt;&lt;p&gt;Every tensor is analysed in the background. Select one in the tree to see its histogram, its outlier map and its largest weights; “Whole model” shows a heatmap of all layers (click a cell to select that tensor). “Preview as” shows the error a quantization type would cause.&lt;/p&gt;&lt;h4&gt;Quantize&lt;/h4&gt;&lt;p&gt;Pick the machine (a profile card), the context length and the KV-cache type: Condense picks the best type that fits and shows the plan, which you can edit. “Quantize and test” writes the GGUF (or, with another Output format, a GPTQ, AWQ or compressed-tensors folder for transformers and vLLM) and compares it with the original. Dropping a model on a card does all of it for that machine.&lt;/p&gt;&lt;h4&gt;Results&lt;/h4&gt;&lt;p&gt;Size, perplexity, KL divergence, agreement and speed, original → quantized; the per-layer chart (click a layer to inspect it) and every run of the model by size.&lt;/p&gt;&lt;h4&gt;Keyboard&lt;/h4&gt;&lt;table&gt;&lt;tr&gt;&lt;td&gt;Ctrl+O&lt;/td&gt;&lt;td&gt;Open a file&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Ctrl+Shift+O&lt;/td&gt;&lt;td&gt;Open a folder&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Ctrl+Enter&lt;/td&gt;&lt;td&gt;Quantize and test (Quantize page)&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Arrow keys, Enter&lt;/td&gt;&lt;td&gt;Move on the heatmap, select the tensor&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Esc&lt;/td&gt;&lt;td&gt;Cancel the focused job&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;F1&lt;/td&gt;&lt;td&gt;This help&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Ctrl+Q&lt;/td&gt;&lt;td&gt;Quit&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;</source>
        <translation>&lt;h3&gt;Condense 快速帮助&lt;/h3&gt;&lt;p&gt;Condense 展示本地语言模型的内部结构，为它必须运行的机器进行量化，并衡量量化的代价。&lt;/p&gt;&lt;h4&gt;打开模型&lt;/h4&gt;&lt;ul&gt;&lt;li&gt;将 Hugging Face 模型文件夹（config.json 和 .safetensors 文件）、单个 .safetensors 文件或 .gguf 文件拖到窗口上。&lt;/li&gt;&lt;li&gt;或使用 文件 ▸ 打开文件…（Ctrl+O）或 文件 ▸ 打开文件夹…（Ctrl+Shift+O）。&lt;/li&gt;&lt;li&gt;“试用演示模型”会打开随 Condense 提供的小模型 tiny-llama-spm。&lt;/li&gt;&lt;li&gt;只有 config.json 的文件夹会以规划模式打开：下载前就能看到模型需要什么。&lt;/li&gt;&lt;li&gt;PyTorch 的 .bin 和 .pt 文件会被拒绝：加载时可能执行代码。请先转换为 safetensors。&lt;/li&gt;&lt;/ul&gt;&lt;h4&gt;检查&lt;/h4&gt;&lt;p&gt;每个张量都会在后台分析。在树中选择一个张量即可查看其直方图、离群值图和最大权重；“整个模型”显示所有层的热图（点击单元格选中该张量）。“预览为”显示某种量化类型会带来的误差。&lt;/p&gt;&lt;h4&gt;量化&lt;/h4&gt;&lt;p&gt;选择机器（配置卡片）、上下文长度和 KV 缓存类型：Condense 会选出可容纳的最佳类型并显示可编辑的方案。“量化并测试”写出 GGUF（或在选择其他输出格式时，写出供 transformers 和 vLLM 使用的 GPTQ、AWQ 或 compressed-tensors 文件夹）并与原模型比较。将模型拖到卡片上即可为该机器完成全部步骤。&lt;/p&gt;&lt;h4&gt;结果&lt;/h4&gt;&lt;p&gt;大小、困惑度、KL 散度、一致率和速度，原模型 → 量化后；逐层图表（点击某层进行检查）以及此模型按大小排列的所有运行。&lt;/p&gt;&lt;h4&gt;键盘&lt;/h4&gt;&lt;table&gt;&lt;tr&gt;&lt;td&gt;Ctrl+O&lt;/td&gt;&lt;td&gt;打开文件&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Ctrl+Shift+O&lt;/td&gt;&lt;td&gt;打开文件夹&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Ctrl+Enter&lt;/td&gt;&lt;td&gt;量化并测试（量化页面）&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;方向键、Enter&lt;/td&gt;&lt;td&gt;在热图上移动、选中张量&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Esc&lt;/td&gt;&lt;td&gt;取消选中的任务&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;F1&lt;/td&gt;&lt;td&gt;本帮助&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Ctrl+Q&lt;/td&gt;&lt;td&gt;退出&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;</translation>
    </message>
</context>
<context>
    <name>condense::ui::HistogramPlot</name>
    <message>
        <source>%1 to %2: %3 weights</source>
        <translation>%1 到 %2：%3 个权重</translation>
    </message>
    <message>
        <source>Weight value</source>
        <translation>权重值</translation>
    </message>
    <message>
        <source>Count (log scale)</source>
        <translation>数量（对数刻度）</translation>
    </message>
    <message>
        <source>Count</source>
        <translation>数量</translation>
    </message>
    <message>
        <source>mean and ±3σ marked</source>
        <translation>已标出均值和 ±3σ</translation>
    </message>
    <message>
        <source>%1 below, %2 above the range</source>
        <translation>%1 个低于范围，%2 个高于范围</translation>
    </message>
    <message>
        <source>%1 NaN/Inf not counted</source>
        <translation>%1 个 NaN/Inf 未计入</translation>
    </message>
</context>
<context>
    <name>condense::ui::InspectPage</name>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <source>Vocabulary</source>
        <translation>词表大小</translation>
    </message>
    <message>
        <source>Hidden size</source>
        <translation>隐藏层维度</translation>
    </message>
    <message>
        <source>Feed-forward size</source>
        <translation>前馈层维度</translation>
    </message>
    <message>
        <source>Layers</source>
        <translation>层数</translation>
    </message>
    <message>
        <source>Attention heads</source>
        <translation>注意力头数</translation>
    </message>
    <message>
        <source>Key/value heads</source>
        <translation>键/值头数</translation>
    </message>
    <message>
        <source>Head size</source>
        <translation>头维度</translation>
    </message>
    <message>
        <source>Context length</source>
        <translation>上下文长度</translation>
    </message>
    <message>
        <source>RoPE base</source>
        <translation>RoPE 基数</translation>
    </message>
    <message>
        <source>Norm epsilon</source>
        <translation>归一化 epsilon</translation>
    </message>
    <message>
        <source>Tied embeddings</source>
        <translation>共享嵌入</translation>
    </message>
    <message>
        <source>not in a layer</source>
        <translation>不属于任何层</translation>
    </message>
    <message>
        <source>Select a tensor in the tree on the left.</source>
        <translation>请在左侧树中选择一个张量。</translation>
    </message>
    <message>
        <source>Histogram</source>
        <translation>直方图</translation>
    </message>
    <message>
        <source>Outlier map</source>
        <translation>离群值图</translation>
    </message>
    <message>
        <source>Heatmap</source>
        <translation>热图</translation>
    </message>
    <message>
        <source>%1 as PNG…</source>
        <translation>%1 导出为 PNG…</translation>
    </message>
    <message>
        <source>&amp;Tensor</source>
        <translation>张量(&amp;T)</translation>
    </message>
    <message>
        <source>Histogram and outlier map of the selected tensor</source>
        <translation>所选张量的直方图和离群值图</translation>
    </message>
    <message>
        <source>&amp;Whole model</source>
        <translation>整个模型(&amp;W)</translation>
    </message>
    <message>
        <source>Heatmap of every tensor: layers down, tensor roles across</source>
        <translation>所有张量的热图：纵向为层，横向为张量角色</translation>
    </message>
    <message>
        <source>Colour &amp;by:</source>
        <translation>着色依据(&amp;B)：</translation>
    </message>
    <message>
        <source>&amp;Preview as:</source>
        <translation>预览为(&amp;P)：</translation>
    </message>
    <message>
        <source>Quantize and dequantize every tensor as this llama-quantize mix would, and show the error</source>
        <translation>按此 llama-quantize 混合方案量化并反量化每个张量，并显示误差</translation>
    </message>
    <message>
        <source>E&amp;xport</source>
        <translation>导出(&amp;X)</translation>
    </message>
    <message>
        <source>Save a plot as a PNG image</source>
        <translation>将图表保存为 PNG 图像</translation>
    </message>
    <message>
        <source>&amp;Log scale</source>
        <translation>对数刻度(&amp;L)</translation>
    </message>
    <message>
        <source>Largest weights</source>
        <translation>最大权重</translation>
    </message>
    <message>
        <source>Statistics</source>
        <translation>统计</translation>
    </message>
    <message>
        <source>Quantization preview</source>
        <translation>量化预览</translation>
    </message>
    <message>
        <source>Analysing: %1 of %2 tensors</source>
        <translation>分析中：%1 / %2 个张量</translation>
    </message>
    <message>
        <source>%1 tensors analysed</source>
        <translation>已分析 %1 个张量</translation>
    </message>
    <message>
        <source>Analysis failed after %1 of %2 tensors</source>
        <translation>分析在 %1 / %2 个张量后失败</translation>
    </message>
    <message>
        <source>Analysis stopped after %1 of %2 tensors</source>
        <translation>分析在 %1 / %2 个张量后停止</translation>
    </message>
    <message>
        <source>layer %1</source>
        <translation>第 %1 层</translation>
    </message>
    <message>
        <source>%1 = %2 elements</source>
        <translation>%1 = %2 个元素</translation>
    </message>
    <message>
        <source>%1 (%2 bytes)</source>
        <translation>%1（%2 字节）</translation>
    </message>
    <message>
        <source>Analysis of this tensor is pending…</source>
        <translation>此张量的分析尚在等待…</translation>
    </message>
    <message>
        <source>This tensor has not been analysed.</source>
        <translation>此张量尚未分析。</translation>
    </message>
    <message>
        <source>This tensor could not be read: %1</source>
        <translation>无法读取此张量：%1</translation>
    </message>
    <message>
        <source>Contains %1 NaN and %2 infinite values: the statistics and the histogram count the finite ones.</source>
        <translation>包含 %1 个 NaN 和 %2 个无穷值：统计和直方图只计入有限值。</translation>
    </message>
    <message>
        <source>Mean</source>
        <translation>均值</translation>
    </message>
    <message>
        <source>Std</source>
        <translation>标准差</translation>
    </message>
    <message>
        <source>Min</source>
        <translation>最小值</translation>
    </message>
    <message>
        <source>Max</source>
        <translation>最大值</translation>
    </message>
    <message>
        <source>Abs max</source>
        <translation>绝对最大值</translation>
    </message>
    <message>
        <source>Abs max / std</source>
        <translation>绝对最大值 / 标准差</translation>
    </message>
    <message>
        <source>Kurtosis (excess)</source>
        <translation>峰度（超额）</translation>
    </message>
    <message>
        <source>Beyond 3σ</source>
        <translation>超出 3σ</translation>
    </message>
    <message>
        <source>Beyond 6σ</source>
        <translation>超出 6σ</translation>
    </message>
    <message>
        <source>Exact zeros</source>
        <translation>精确零值</translation>
    </message>
    <message>
        <source>NaN / Inf</source>
        <translation>NaN / Inf</translation>
    </message>
    <message>
        <source>Preview type</source>
        <translation>预览类型</translation>
    </message>
    <message>
        <source>Relative RMSE</source>
        <translation>相对 RMSE</translation>
    </message>
    <message>
        <source>SNR</source>
        <translation>信噪比</translation>
    </message>
    <message>
        <source>%1 dB</source>
        <translation>%1 dB</translation>
    </message>
    <message>
        <source>Max abs error</source>
        <translation>最大绝对误差</translation>
    </message>
    <message>
        <source>Weighted RMSE</source>
        <translation>加权 RMSE</translation>
    </message>
    <message>
        <source>Preview</source>
        <translation>预览</translation>
    </message>
    <message>
        <source>pending…</source>
        <translation>等待中…</translation>
    </message>
    <message>
        <source>none for this tensor</source>
        <translation>此张量无预览</translation>
    </message>
    <message>
        <source>Largest weights (%1)</source>
        <translation>最大权重（%1）</translation>
    </message>
    <message>
        <source>Mix</source>
        <translation>混合方案</translation>
    </message>
    <message>
        <source>layer %1 (%2)</source>
        <translation>第 %1 层（%2）</translation>
    </message>
    <message>
        <source>Worst layers</source>
        <translation>最差的层</translation>
    </message>
</context>
<context>
    <name>condense::ui::JobRow</name>
    <message>
        <source>Starting</source>
        <translation>正在启动</translation>
    </message>
    <message>
        <source>ETA –</source>
        <translation>剩余 –</translation>
    </message>
    <message>
        <source>ETA %1</source>
        <translation>剩余 %1</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Cancel this job (Esc)</source>
        <translation>取消此任务（Esc）</translation>
    </message>
</context>
<context>
    <name>condense::ui::JobStrip</name>
    <message>
        <source>%1: done in %2</source>
        <translation>%1：完成，用时 %2</translation>
    </message>
    <message>
        <source>%1: cancelled</source>
        <translation>%1：已取消</translation>
    </message>
    <message>
        <source>Jobs</source>
        <translation>任务</translation>
    </message>
    <message>
        <source>No jobs running</source>
        <translation>没有正在运行的任务</translation>
    </message>
    <message>
        <source>Cancel job</source>
        <translation>取消任务</translation>
    </message>
    <message>
        <source>“%1” has been running for %2. Cancel it?</source>
        <translation>“%1”已运行 %2。要取消吗？</translation>
    </message>
    <message>
        <source>%1: failed</source>
        <translation>%1：失败</translation>
    </message>
    <message>
        <source>Show results</source>
        <translation>查看结果</translation>
    </message>
</context>
<context>
    <name>condense::ui::LayerChart</name>
    <message>
        <source>Layer %1
drift of its output: %2 (cosine %3)
weight error: %4</source>
        <translation>第 %1 层
输出漂移：%2（余弦 %3）
权重误差：%4</translation>
    </message>
    <message>
        <source>among the layers that add the most drift</source>
        <translation>属于增加漂移最多的层</translation>
    </message>
    <message>
        <source>among the layers with the largest weight error</source>
        <translation>属于权重误差最大的层</translation>
    </message>
    <message>
        <source>Click to inspect this layer</source>
        <translation>点击以查看此层</translation>
    </message>
    <message>
        <source>Layer</source>
        <translation>层</translation>
    </message>
    <message>
        <source>Drift of the layer&apos;s output (relative error)</source>
        <translation>层输出的漂移（相对误差）</translation>
    </message>
    <message>
        <source>Weight error (relative RMSE)</source>
        <translation>权重误差（相对 RMSE）</translation>
    </message>
    <message>
        <source>drift</source>
        <translation>漂移</translation>
    </message>
    <message>
        <source>drift, worst layers</source>
        <translation>漂移，最差的层</translation>
    </message>
    <message>
        <source>weight error</source>
        <translation>权重误差</translation>
    </message>
</context>
<context>
    <name>condense::ui::MainWindow</name>
    <message>
        <source>Quantize</source>
        <translation>量化</translation>
    </message>
    <message>
        <source>Results</source>
        <translation>结果</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Open File…</source>
        <translation>打开文件(&amp;O)…</translation>
    </message>
    <message>
        <source>Open a .gguf or .safetensors file</source>
        <translation>打开 .gguf 或 .safetensors 文件</translation>
    </message>
    <message>
        <source>Open &amp;Folder…</source>
        <translation>打开文件夹(&amp;F)…</translation>
    </message>
    <message>
        <source>Open a Hugging Face model folder</source>
        <translation>打开 Hugging Face 模型文件夹</translation>
    </message>
    <message>
        <source>Open &amp;Recent</source>
        <translation>最近打开(&amp;R)</translation>
    </message>
    <message>
        <source>Open &amp;Demo Model</source>
        <translation>打开演示模型(&amp;D)</translation>
    </message>
    <message>
        <source>&amp;Close Model</source>
        <translation>关闭模型(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Expand All Groups</source>
        <translation>展开所有分组(&amp;E)</translation>
    </message>
    <message>
        <source>C&amp;ollapse All Groups</source>
        <translation>折叠所有分组(&amp;O)</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <source>System Default</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>Condense &amp;Help</source>
        <translation>Condense 帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;About Condense</source>
        <translation>关于 Condense(&amp;A)</translation>
    </message>
    <message>
        <source>Inspect</source>
        <translation>检查</translation>
    </message>
    <message>
        <source>No recent models</source>
        <translation>没有最近打开的模型</translation>
    </message>
    <message>
        <source>Clear Recent Models</source>
        <translation>清除最近打开的模型</translation>
    </message>
    <message>
        <source>Open Model File</source>
        <translation>打开模型文件</translation>
    </message>
    <message>
        <source>Model files (*.gguf *.safetensors);;All files (*)</source>
        <translation>模型文件 (*.gguf *.safetensors);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Open Model Folder</source>
        <translation>打开模型文件夹</translation>
    </message>
    <message>
        <source>Open %1</source>
        <translation>打开 %1</translation>
    </message>
    <message>
        <source>Open demo model</source>
        <translation>打开演示模型</translation>
    </message>
    <message>
        <source>%1 (demo)</source>
        <translation>%1（演示）</translation>
    </message>
    <message>
        <source>About Condense</source>
        <translation>关于 Condense</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Condense %1&lt;/h3&gt;&lt;p&gt;A desktop studio that shows what is inside a local language model, quantizes it and measures what the quantization cost.&lt;/p&gt;&lt;p&gt;Built with Qt %2.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Condense %1&lt;/h3&gt;&lt;p&gt;一款桌面工作室，用于查看本地语言模型的内部内容、对其进行量化，并衡量量化带来的损失。&lt;/p&gt;&lt;p&gt;基于 Qt %2 构建。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Analyse %1</source>
        <translation>分析 %1</translation>
    </message>
    <message>
        <source>Export Plot</source>
        <translation>导出图表</translation>
    </message>
    <message>
        <source>PNG images (*.png)</source>
        <translation>PNG 图像 (*.png)</translation>
    </message>
    <message>
        <source>Export %1</source>
        <translation>导出 %1</translation>
    </message>
    <message>
        <source>The weight analysis failed.</source>
        <translation>权重分析失败。</translation>
    </message>
    <message>
        <source>The image could not be saved.</source>
        <translation>无法保存图像。</translation>
    </message>
    <message>
        <source>Save profile %1</source>
        <translation>保存配置 %1</translation>
    </message>
    <message>
        <source>The profile could not be saved.</source>
        <translation>无法保存配置。</translation>
    </message>
    <message>
        <source>%1 (config.json only)</source>
        <translation>%1（仅 config.json）</translation>
    </message>
</context>
<context>
    <name>condense::ui::MemoryFitBar</name>
    <message>
        <source>fits</source>
        <translation>可容纳</translation>
    </message>
    <message>
        <source>does not fit</source>
        <translation>无法容纳</translation>
    </message>
    <message>
        <source>%1: needs %2 of %3 usable (%4): weights %5, KV cache %6, compute %7, runtime %8</source>
        <translation>%1：需要 %2，可用 %3（%4）：权重 %5，KV 缓存 %6，计算 %7，运行时 %8</translation>
    </message>
    <message>
        <source>weights</source>
        <translation>权重</translation>
    </message>
    <message>
        <source>KV cache</source>
        <translation>KV 缓存</translation>
    </message>
    <message>
        <source>compute</source>
        <translation>计算</translation>
    </message>
    <message>
        <source>runtime</source>
        <translation>运行时</translation>
    </message>
    <message>
        <source>| usable memory</source>
        <translation>| 可用内存</translation>
    </message>
</context>
<context>
    <name>condense::ui::MessageBanner</name>
    <message>
        <source>Dismiss</source>
        <translation>关闭</translation>
    </message>
</context>
<context>
    <name>condense::ui::MessageText</name>
    <message>
        <source>output</source>
        <translation>输出</translation>
    </message>
    <message>
        <source>tied token_embd (output rule)</source>
        <translation>绑定的 token_embd（输出规则）</translation>
    </message>
    <message>
        <source>%1: falcon -&gt; %2</source>
        <translation>%1：falcon -&gt; %2</translation>
    </message>
    <message>
        <source>%1: row %2 not a multiple of %3 -&gt; %4</source>
        <translation>%1：行长 %2 不是 %3 的倍数 -&gt; %4</translation>
    </message>
    <message>
        <source>%1 -&gt; %2</source>
        <translation>%1 -&gt; %2</translation>
    </message>
    <message>
        <source>%1 of a 70B model</source>
        <translation>70B 模型的 %1</translation>
    </message>
    <message>
        <source>%1 of an 8-expert model</source>
        <translation>8 专家模型的 %1</translation>
    </message>
    <message>
        <source>%1 bump</source>
        <translation>%1 提升</translation>
    </message>
    <message>
        <source>%1 falcon</source>
        <translation>%1 falcon</translation>
    </message>
    <message>
        <source>%1 with imatrix</source>
        <translation>%1（使用重要性矩阵）</translation>
    </message>
    <message>
        <source>%1 without imatrix</source>
        <translation>%1（无重要性矩阵）</translation>
    </message>
    <message>
        <source>%1, gqa %2</source>
        <translation>%1，gqa %2</translation>
    </message>
    <message>
        <source>%1, use_more_bits</source>
        <translation>%1，use_more_bits</translation>
    </message>
    <message>
        <source>%1, first %2</source>
        <translation>%1，前 %2 层</translation>
    </message>
    <message>
        <source>%1, first eighth</source>
        <translation>%1，前八分之一</translation>
    </message>
    <message>
        <source>%1, first sixteenth</source>
        <translation>%1，前十六分之一</translation>
    </message>
    <message>
        <source>%1 (layer counter %2 of %3)</source>
        <translation>%1（层计数 %2 / %3）</translation>
    </message>
    <message>
        <source>%1 (layer %2 of %3)</source>
        <translation>%1（第 %2 层，共 %3 层）</translation>
    </message>
    <message>
        <source>plan: %1</source>
        <translation>计划：%1</translation>
    </message>
    <message>
        <source>plan</source>
        <translation>计划</translation>
    </message>
    <message>
        <source>mix default</source>
        <translation>混合方案默认</translation>
    </message>
    <message>
        <source>--pure: mix default</source>
        <translation>--pure：混合方案默认</translation>
    </message>
    <message>
        <source>user override --tensor-type %1=%2</source>
        <translation>用户指定 --tensor-type %1=%2</translation>
    </message>
    <message>
        <source>user override --output-tensor-type</source>
        <translation>用户指定 --output-tensor-type</translation>
    </message>
    <message>
        <source>user override --token-embedding-type</source>
        <translation>用户指定 --token-embedding-type</translation>
    </message>
    <message>
        <source>%1-D tensor kept as %2</source>
        <translation>%1 维张量保持为 %2</translation>
    </message>
    <message>
        <source>not a weight, kept as %1</source>
        <translation>不是权重，保持为 %1</translation>
    </message>
    <message>
        <source>norm kept as %1</source>
        <translation>归一化层保持为 %1</translation>
    </message>
    <message>
        <source>--leave-output-tensor: kept as %1</source>
        <translation>--leave-output-tensor：保持为 %1</translation>
    </message>
    <message>
        <source>never quantized (%1), kept as %2</source>
        <translation>从不量化（%1），保持为 %2</translation>
    </message>
    <message>
        <source>embedding never quantized, kept as %1</source>
        <translation>嵌入从不量化，保持为 %1</translation>
    </message>
    <message>
        <source>mix rule: %1</source>
        <translation>混合规则：%1</translation>
    </message>
    <message>
        <source>fallback: row %1 not a multiple of %2 (%3), nor of %4 (%5) -&gt; %6</source>
        <translation>回退：行长 %1 不是 %2（%3）的倍数，也不是 %4（%5）的倍数 -&gt; %6</translation>
    </message>
    <message>
        <source>fallback: row %1 not a multiple of %2 (%3) -&gt; %4</source>
        <translation>回退：行长 %1 不是 %2（%3）的倍数 -&gt; %4</translation>
    </message>
    <message>
        <source>%1; was %2</source>
        <translation>%1；原为 %2</translation>
    </message>
    <message>
        <source>adding merges requested but no merges found, output may be non-functional</source>
        <translation>请求添加合并规则，但未找到任何合并规则，输出可能无法使用</translation>
    </message>
    <message>
        <source>ignoring invalid special token id %1 for %2</source>
        <translation>忽略无效的特殊词元 ID %1（%2）</translation>
    </message>
    <message>
        <source>special token type %1, id %2 out of range, must be under %3 - skipping</source>
        <translation>特殊词元类型 %1，ID %2 超出范围，必须小于 %3 —— 已跳过</translation>
    </message>
    <message>
        <source>spaces in merges detected, encoding them as U+0120</source>
        <translation>合并规则中发现空格，将其编码为 U+0120</translation>
    </message>
    <message>
        <source>merges.txt: malformed entry ignored</source>
        <translation>merges.txt：已忽略格式错误的条目</translation>
    </message>
    <message>
        <source>bad type for chat_template in tokenizer_config.json - ignoring</source>
        <translation>tokenizer_config.json 中 chat_template 的类型错误 —— 已忽略</translation>
    </message>
    <message>
        <source>ignoring tokens from %1: id is out of range, max=%2</source>
        <translation>忽略从 %1 开始的词元：ID 超出范围，最大值=%2</translation>
    </message>
    <message>
        <source>ignoring added token %1: id is out of range</source>
        <translation>忽略添加的词元 %1：ID 超出范围</translation>
    </message>
    <message>
        <source>the pre-tokenizer in tokenizer.json is not one we recognize; writing tokenizer.ggml.pre = &quot;default&quot; (llama.cpp may split text differently than the original tokenizer)</source>
        <translation>无法识别 tokenizer.json 中的预分词器；写入 tokenizer.ggml.pre = &quot;default&quot;（llama.cpp 切分文本的方式可能与原分词器不同）</translation>
    </message>
    <message>
        <source>unknown RoPE type: %1</source>
        <translation>未知的 RoPE 类型：%1</translation>
    </message>
    <message>
        <source>the importance matrix has no entry for %1: quantized without one</source>
        <translation>重要性矩阵中没有 %1 的条目：不使用重要性矩阵进行量化</translation>
    </message>
    <message>
        <source>the importance matrix entry of %1 has %2 values instead of %3: ignored</source>
        <translation>重要性矩阵中 %1 的条目有 %2 个值，而不是 %3 个：已忽略</translation>
    </message>
    <message>
        <source>requantizing %1 already quantized tensor(s): the result is worse than quantizing the original weights</source>
        <translation>重新量化 %1 个已量化的张量：结果比量化原始权重更差</translation>
    </message>
    <message>
        <source>GPTQ: the Hessian of %1 was not positive definite with damping %2; used %3</source>
        <translation>GPTQ：%1 的 Hessian 矩阵在阻尼 %2 下不是正定的；改用 %3</translation>
    </message>
    <message>
        <source>GPTQ: the Hessian of %1 is not positive definite even with damping %2; quantized by round-to-nearest instead</source>
        <translation>GPTQ：%1 的 Hessian 矩阵即使在阻尼 %2 下也不是正定的；改用就近舍入量化</translation>
    </message>
    <message>
        <source>GPTQ: %1 is %2, which GPTQ does not sweep; quantized by rounding weighted with its calibration activations instead</source>
        <translation>GPTQ：%1 为 %2，GPTQ 不处理该类型；改用按其校准激活加权的舍入量化</translation>
    </message>
    <message>
        <source>VRAM</source>
        <translation>显存</translation>
    </message>
    <message>
        <source>unified memory</source>
        <translation>统一内存</translation>
    </message>
    <message>
        <source>RAM</source>
        <translation>内存</translation>
    </message>
    <message>
        <source>%1: the highest-quality mix that fits (mean KLD %2 on Llama-3-8B, llama.cpp&apos;s scoreboard)</source>
        <translation>%1：可容纳的最高质量混合方案（Llama-3-8B 上平均 KLD %2，llama.cpp 排行榜）</translation>
    </message>
    <message>
        <source>%1: the highest-quality mix that fits</source>
        <translation>%1：可容纳的最高质量混合方案</translation>
    </message>
    <message>
        <source>%1 does not fit: needs %2 GiB of %3, the profile has %4 GiB usable</source>
        <translation>%1 无法容纳：需要 %2 GiB %3，配置可用 %4 GiB</translation>
    </message>
    <message>
        <source>%1 would fit only with %2 of %3 layers on the GPU: a smaller mix that fits whole is faster</source>
        <translation>%1 只能将 %3 层中的 %2 层放在 GPU 上：完全放得下的较小混合方案更快</translation>
    </message>
    <message>
        <source>none of the profile&apos;s preferred formats fits; %1 is not one of them</source>
        <translation>配置偏好的格式都无法容纳；%1 不在其中</translation>
    </message>
    <message>
        <source>all %1 layers on the GPU</source>
        <translation>全部 %1 层在 GPU 上</translation>
    </message>
    <message>
        <source>%1 of %2 layers on the GPU (-ngl %1), the rest in RAM</source>
        <translation>%2 层中的 %1 层在 GPU 上（-ngl %1），其余在内存中</translation>
    </message>
    <message>
        <source>nothing fits: even %1 needs %2 GiB of %3, the profile has %4 GiB usable</source>
        <translation>无法容纳任何方案：即使 %1 也需要 %2 GiB %3，配置可用 %4 GiB</translation>
    </message>
    <message>
        <source>context %1 is longer than the model was trained for (%2)</source>
        <translation>上下文 %1 超过了模型训练时的长度（%2）</translation>
    </message>
    <message>
        <source>decoder linear: %1-bit, groups of %2</source>
        <translation>解码器线性层：%1 位，每组 %2 个</translation>
    </message>
    <message>
        <source>not a decoder linear, kept as %1</source>
        <translation>不是解码器线性层，保留为 %1</translation>
    </message>
</context>
<context>
    <name>condense::ui::ModelPanel</name>
    <message>
        <source>Filter tensors by name</source>
        <translation>按名称筛选张量</translation>
    </message>
</context>
<context>
    <name>condense::ui::ModelSummary</name>
    <message>
        <source>Format</source>
        <translation>格式</translation>
    </message>
    <message>
        <source>Architecture</source>
        <translation>架构</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>参数量</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <source>Types</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Layers</source>
        <translation>层</translation>
    </message>
    <message>
        <source>No model open</source>
        <translation>未打开模型</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <source>inspection only</source>
        <translation>仅供查看</translation>
    </message>
    <message>
        <source>%1 parameters</source>
        <translation>%1 个参数</translation>
    </message>
    <message>
        <source>%1 bytes of tensor data</source>
        <translation>张量数据 %1 字节</translation>
    </message>
    <message>
        <source>%1 heads (%2 KV)</source>
        <translation>%1 个注意力头（%2 个 KV 头）</translation>
    </message>
    <message>
        <source>%1 layers, hidden size %2</source>
        <translation>%1 层，隐藏维度 %2</translation>
    </message>
</context>
<context>
    <name>condense::ui::ModelTreeModel</name>
    <message>
        <source>Token embedding</source>
        <translation>词元嵌入</translation>
    </message>
    <message>
        <source>Output</source>
        <translation>输出</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>其他</translation>
    </message>
    <message>
        <source>mixed</source>
        <translation>混合</translation>
    </message>
    <message>
        <source>1 tensor</source>
        <translation>1 个张量</translation>
    </message>
    <message>
        <source>%1 tensors</source>
        <translation>%1 个张量</translation>
    </message>
    <message>
        <source>%1 bytes</source>
        <translation>%1 字节</translation>
    </message>
    <message>
        <source>%1 elements</source>
        <translation>%1 个元素</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Shape</source>
        <translation>形状</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <source>unreadable</source>
        <translation>无法读取</translation>
    </message>
    <message>
        <source>Analysis pending</source>
        <translation>分析等待中</translation>
    </message>
    <message>
        <source>This tensor could not be read: %1</source>
        <translation>无法读取此张量：%1</translation>
    </message>
    <message>
        <source>Contains %1 NaN and %2 infinite values</source>
        <translation>包含 %1 个 NaN 和 %2 个无穷值</translation>
    </message>
    <message>
        <source>%1: relative RMSE %2, SNR %3 dB, max error %4</source>
        <translation>%1：相对 RMSE %2，信噪比 %3 dB，最大误差 %4</translation>
    </message>
    <message>
        <source>Preview error of the group&apos;s tensors together</source>
        <translation>该组所有张量合计的预览误差</translation>
    </message>
    <message>
        <source>Largest value in the group</source>
        <translation>组内最大值</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>误差</translation>
    </message>
</context>
<context>
    <name>condense::ui::OutlierListModel</name>
    <message>
        <source>#</source>
        <translation>#</translation>
    </message>
    <message>
        <source>Row</source>
        <translation>行</translation>
    </message>
    <message>
        <source>Column</source>
        <translation>列</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>值</translation>
    </message>
    <message>
        <source>From mean</source>
        <translation>距均值</translation>
    </message>
</context>
<context>
    <name>condense::ui::OutlierMapPlot</name>
    <message>
        <source>Rows %1, columns %2
max |w| / std = %3</source>
        <translation>行 %1，列 %2
max |w| / 标准差 = %3</translation>
    </message>
    <message>
        <source>Column (input channel)</source>
        <translation>列（输入通道）</translation>
    </message>
    <message>
        <source>Row (output channel)</source>
        <translation>行（输出通道）</translation>
    </message>
    <message>
        <source>max |w| / std</source>
        <translation>max |w| / 标准差</translation>
    </message>
    <message>
        <source>Outlier #%1: row %2, column %3, w = %4</source>
        <translation>离群值 #%1：第 %2 行，第 %3 列，w = %4</translation>
    </message>
</context>
<context>
    <name>condense::ui::PlanTableModel</name>
    <message>
        <source>%1-bit, groups of %2</source>
        <translation>%1 位，每组 %2</translation>
    </message>
    <message>
        <source>%1 (fallback)</source>
        <translation>%1（回退）</translation>
    </message>
    <message>
        <source>Chosen by you; double-click to change</source>
        <translation>由你选择；双击更改</translation>
    </message>
    <message>
        <source>Double-click to choose another type</source>
        <translation>双击选择其他类型</translation>
    </message>
    <message>
        <source>%1 bytes</source>
        <translation>%1 字节</translation>
    </message>
    <message>
        <source>Tensor</source>
        <translation>张量</translation>
    </message>
    <message>
        <source>Shape</source>
        <translation>形状</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <source>Why</source>
        <translation>原因</translation>
    </message>
</context>
<context>
    <name>condense::ui::ProfileCard</name>
    <message>
        <source>%1 RAM</source>
        <translation>%1 内存</translation>
    </message>
    <message>
        <source>%1 unified</source>
        <translation>%1 统一内存</translation>
    </message>
    <message>
        <source>%1 VRAM + %2 RAM</source>
        <translation>%1 显存 + %2 内存</translation>
    </message>
    <message>
        <source>Add profile…</source>
        <translation>添加配置…</translation>
    </message>
    <message>
        <source>Describe another machine: its memory, bandwidth and the formats it prefers</source>
        <translation>描述另一台机器：内存、带宽和偏好的格式</translation>
    </message>
    <message>
        <source>Prefers %1</source>
        <translation>偏好 %1</translation>
    </message>
    <message>
        <source>Drop a model here to quantize it for this machine and test the result.</source>
        <translation>将模型拖放到这里，为这台机器量化并测试结果。</translation>
    </message>
    <message>
        <source>Drop to quantize for this machine</source>
        <translation>拖放以为这台机器量化</translation>
    </message>
    <message>
        <source>Edit profile…</source>
        <translation>编辑配置…</translation>
    </message>
</context>
<context>
    <name>condense::ui::ProfileDialog</name>
    <message>
        <source>&amp;Total:</source>
        <translation>总量(&amp;T)：</translation>
    </message>
    <message>
        <source>&amp;Usable by the model:</source>
        <translation>模型可用(&amp;U)：</translation>
    </message>
    <message>
        <source>&amp;Bandwidth:</source>
        <translation>带宽(&amp;B)：</translation>
    </message>
    <message>
        <source>Edit Hardware Profile</source>
        <translation>编辑硬件配置</translation>
    </message>
    <message>
        <source>Add Hardware Profile</source>
        <translation>添加硬件配置</translation>
    </message>
    <message>
        <source>CPU only (llama.cpp on the CPU)</source>
        <translation>仅 CPU（llama.cpp 运行在 CPU 上）</translation>
    </message>
    <message>
        <source>Apple silicon (unified memory, Metal)</source>
        <translation>Apple 芯片（统一内存，Metal）</translation>
    </message>
    <message>
        <source>NVIDIA GPU (CUDA) with system RAM</source>
        <translation>NVIDIA GPU（CUDA）及系统内存</translation>
    </message>
    <message>
        <source>Memory</source>
        <translation>内存</translation>
    </message>
    <message>
        <source>System RAM</source>
        <translation>系统内存</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>名称(&amp;N)：</translation>
    </message>
    <message>
        <source>Id:</source>
        <translation>ID：</translation>
    </message>
    <message>
        <source>&amp;Kind:</source>
        <translation>类型(&amp;K)：</translation>
    </message>
    <message>
        <source>&amp;CPU compute:</source>
        <translation>CPU 算力(&amp;C)：</translation>
    </message>
    <message>
        <source>&amp;GPU compute:</source>
        <translation>GPU 算力(&amp;G)：</translation>
    </message>
    <message>
        <source>Share of &amp;bandwidth reached:</source>
        <translation>可达带宽比例(&amp;B)：</translation>
    </message>
    <message>
        <source>&amp;Preferred formats:</source>
        <translation>偏好格式(&amp;P)：</translation>
    </message>
    <message>
        <source>N&amp;otes:</source>
        <translation>备注(&amp;O)：</translation>
    </message>
    <message>
        <source>My laptop</source>
        <translation>我的笔记本</translation>
    </message>
    <message>
        <source>Video memory (VRAM)</source>
        <translation>显存（VRAM）</translation>
    </message>
    <message>
        <source>Unified memory</source>
        <translation>统一内存</translation>
    </message>
    <message>
        <source>RAM</source>
        <translation>内存</translation>
    </message>
    <message>
        <source>This profile is not valid: %1</source>
        <translation>此配置无效：%1</translation>
    </message>
</context>
<context>
    <name>condense::ui::QuantizePage</name>
    <message>
        <source>The hardware profiles could not be read.</source>
        <translation>无法读取硬件配置。</translation>
    </message>
    <message>
        <source>No plan: %1</source>
        <translation>无方案：%1</translation>
    </message>
    <message>
        <source>“%1” did not finish.</source>
        <translation>“%1”未完成。</translation>
    </message>
    <message>
        <source>Read hardware profiles</source>
        <translation>读取硬件配置</translation>
    </message>
    <message>
        <source>Read the tensor list</source>
        <translation>读取张量列表</translation>
    </message>
    <message>
        <source>Plan for %1</source>
        <translation>为 %1 制定方案</translation>
    </message>
    <message>
        <source>Planning…</source>
        <translation>规划中…</translation>
    </message>
    <message>
        <source>RAM</source>
        <translation>内存</translation>
    </message>
    <message>
        <source>Unified</source>
        <translation>统一内存</translation>
    </message>
    <message>
        <source>VRAM</source>
        <translation>显存</translation>
    </message>
    <message>
        <source>Nothing fits: the smallest plan needs %1, the profile has %2 usable.</source>
        <translation>无法容纳：最小的方案需要 %1，配置可用 %2。</translation>
    </message>
    <message>
        <source>%1 fits: %2 of %3 usable</source>
        <translation>%1 可容纳：%2 / 可用 %3</translation>
    </message>
    <message>
        <source>%1 does not fit after your changes: %2 of %3 usable</source>
        <translation>修改后 %1 无法容纳：%2 / 可用 %3</translation>
    </message>
    <message>
        <source>all %1 layers on the GPU</source>
        <translation>全部 %1 层在 GPU 上</translation>
    </message>
    <message>
        <source>%1 of %2 layers on the GPU</source>
        <translation>%2 层中的 %1 层在 GPU 上</translation>
    </message>
    <message>
        <source>file %1</source>
        <translation>文件 %1</translation>
    </message>
    <message>
        <source>about %1 tokens/s generating, %2 tokens/s reading the prompt (predicted)</source>
        <translation>约每秒生成 %1 个词元，每秒读取提示 %2 个词元（预测）</translation>
    </message>
    <message>
        <source>%1 tensors · %2 · %3 bits per weight</source>
        <translation>%1 个张量 · %2 · 每个权重 %3 位</translation>
    </message>
    <message>
        <source>%1 fallbacks</source>
        <translation>%1 个回退</translation>
    </message>
    <message>
        <source>%1 changed by you</source>
        <translation>%1 个由你修改</translation>
    </message>
    <message>
        <source>Output Folder</source>
        <translation>输出文件夹</translation>
    </message>
    <message>
        <source>Quantize %1 as %2 for %3</source>
        <translation>将 %1 量化为 %2（%3）</translation>
    </message>
    <message>
        <source>Quantize %1 for %2</source>
        <translation>为 %2 量化 %1</translation>
    </message>
    <message>
        <source>The machine it must run on (drop a model on a card to quantize it for that machine):</source>
        <translation>它必须运行的机器（将模型拖到卡片上即可为该机器量化）：</translation>
    </message>
    <message>
        <source>&amp;Context:</source>
        <translation>上下文(&amp;C)：</translation>
    </message>
    <message>
        <source>Tokens the model must hold at once (llama.cpp&apos;s -c): the KV cache grows with it</source>
        <translation>模型需同时容纳的词元数（llama.cpp 的 -c）：KV 缓存随之增长</translation>
    </message>
    <message>
        <source>&amp;KV cache:</source>
        <translation>KV 缓存(&amp;K)：</translation>
    </message>
    <message>
        <source>&amp;Mix:</source>
        <translation>混合方案(&amp;M)：</translation>
    </message>
    <message>
        <source>Best that fits</source>
        <translation>可容纳的最佳方案</translation>
    </message>
    <message>
        <source>&amp;Reset my changes</source>
        <translation>重置我的修改(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Output folder:</source>
        <translation>输出文件夹(&amp;O)：</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>&amp;Quantize and test</source>
        <translation>量化并测试(&amp;Q)</translation>
    </message>
    <message>
        <source>Quantize with this plan, then compare the result with the original (Ctrl+Enter)</source>
        <translation>按此方案量化，然后将结果与原模型比较（Ctrl+Enter）</translation>
    </message>
    <message>
        <source>This folder holds only config.json: the plan shows what the model will need once downloaded. Open the folder with its weights to quantize it.</source>
        <translation>此文件夹只有 config.json：方案显示下载后模型所需的资源。打开包含权重的文件夹即可量化。</translation>
    </message>
    <message>
        <source>The importance matrix could not be made.</source>
        <translation>无法生成重要性矩阵。</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Choose a file…</source>
        <translation>选择文件…</translation>
    </message>
    <message>
        <source>Importance Matrix</source>
        <translation>重要性矩阵</translation>
    </message>
    <message>
        <source>Importance matrices (*.gguf *.dat);;All files (*)</source>
        <translation>重要性矩阵 (*.gguf *.dat);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Make one from a text…</source>
        <translation>从文本生成…</translation>
    </message>
    <message>
        <source>Calibration Text</source>
        <translation>校准文本</translation>
    </message>
    <message>
        <source>Text files (*.txt);;All files (*)</source>
        <translation>文本文件 (*.txt);;所有文件 (*)</translation>
    </message>
    <message>
        <source>None</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Calibrate %1 on %2</source>
        <translation>用 %2 校准 %1</translation>
    </message>
    <message>
        <source>&amp;Importance matrix:</source>
        <translation>重要性矩阵(&amp;I)：</translation>
    </message>
    <message>
        <source>llama-imatrix&apos;s statistic of how much each weight column matters: the quantizer keeps those more exact</source>
        <translation>llama-imatrix 统计的各权重列重要程度：量化器会让这些列更精确</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>选择…</translation>
    </message>
    <message>
        <source>Make one from a bundled set</source>
        <translation>用内置文本集生成</translation>
    </message>
    <message>
        <source>Runs the model over the calibration text block by block and rounds each weight so the layer&apos;s output error stays small: the same file size and types, lower KL divergence, minutes instead of seconds.</source>
        <translation>逐块在校准文本上运行模型，并让每个权重的取整使该层的输出误差保持很小：文件大小和类型不变，KL 散度更低，耗时以分钟计而不是秒。</translation>
    </message>
    <message>
        <source>Rounds every block to its nearest values (llama-quantize&apos;s way); an importance matrix, when set, keeps the columns that matter more exact.</source>
        <translation>把每个块取整到最近的值（与 llama-quantize 相同）；若设置了重要性矩阵，更重要的列会保持得更精确。</translation>
    </message>
    <message>
        <source>M&amp;ethod:</source>
        <translation>方法(&amp;E)：</translation>
    </message>
    <message>
        <source>Round to nearest</source>
        <translation>就近取整</translation>
    </message>
    <message>
        <source>GPTQ (calibrated)</source>
        <translation>GPTQ（需校准）</translation>
    </message>
    <message>
        <source>How each tensor&apos;s blocks get their values; the types and the file size are the plan&apos;s either way</source>
        <translation>每个张量的块如何得到数值；类型和文件大小始终与计划一致</translation>
    </message>
    <message>
        <source>Ca&amp;libration:</source>
        <translation>校准(&amp;L)：</translation>
    </message>
    <message>
        <source>General prose</source>
        <translation>通用散文</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>代码</translation>
    </message>
    <message>
        <source>Chat</source>
        <translation>对话</translation>
    </message>
    <message>
        <source>Multilingual</source>
        <translation>多语言</translation>
    </message>
    <message>
        <source>The text GPTQ runs the model over (bundled; a held-out part of it is never used)</source>
        <translation>GPTQ 运行模型所用的文本（内置；其中保留的一部分从不使用）</translation>
    </message>
    <message>
        <source>GPTQ: runs the model over the calibration text block by block and solves each layer&apos;s rounding so its output error stays small; minutes instead of seconds.</source>
        <translation>GPTQ：在校准文本上逐块运行模型，求解每层的舍入，使其输出误差保持很小；需要几分钟而不是几秒。</translation>
    </message>
    <message>
        <source>AWQ: runs the model over the calibration text, scales up the channels that matter most before rounding and searches the clipping; minutes instead of seconds.</source>
        <translation>AWQ：在校准文本上运行模型，在舍入前放大最重要的通道并搜索截断范围；需要几分钟而不是几秒。</translation>
    </message>
    <message>
        <source>Rounds every group of weights to its nearest grid value: seconds, no calibration text.</source>
        <translation>将每组权重舍入到最近的网格值：几秒钟，无需校准文本。</translation>
    </message>
    <message>
        <source>GPTQ folder</source>
        <translation>GPTQ 文件夹</translation>
    </message>
    <message>
        <source>AWQ folder</source>
        <translation>AWQ 文件夹</translation>
    </message>
    <message>
        <source>compressed-tensors folder</source>
        <translation>compressed-tensors 文件夹</translation>
    </message>
    <message>
        <source>GGUF file</source>
        <translation>GGUF 文件</translation>
    </message>
    <message>
        <source>AWQ (calibrated)</source>
        <translation>AWQ（校准）</translation>
    </message>
    <message>
        <source>A Hugging Face folder that transformers and vLLM load as GPTQ.</source>
        <translation>transformers 和 vLLM 以 GPTQ 格式加载的 Hugging Face 文件夹。</translation>
    </message>
    <message>
        <source>A Hugging Face folder that AutoAWQ and vLLM load as AWQ (GEMM).</source>
        <translation>AutoAWQ 和 vLLM 以 AWQ（GEMM）格式加载的 Hugging Face 文件夹。</translation>
    </message>
    <message>
        <source>A Hugging Face folder that vLLM and llm-compressor load (compressed-tensors, pack-quantized).</source>
        <translation>vLLM 和 llm-compressor 加载的 Hugging Face 文件夹（compressed-tensors，pack-quantized）。</translation>
    </message>
    <message>
        <source>One file that llama.cpp, Ollama and LM Studio load, with the plan&apos;s types.</source>
        <translation>llama.cpp、Ollama 和 LM Studio 可加载的单个文件，使用计划中的类型。</translation>
    </message>
    <message>
        <source>Each run gets its own folder here, holding the %1 “%2” and its report.</source>
        <translation>每次运行都会在此处创建自己的文件夹，其中包含 %1“%2”及其报告。</translation>
    </message>
    <message>
        <source>Each run gets its own folder here, holding the GGUF file “%1” and its report.</source>
        <translation>每次运行都会在此处创建自己的文件夹，其中包含 GGUF 文件“%1”及其报告。</translation>
    </message>
    <message>
        <source>A %1 is made from a Hugging Face model folder (safetensors); this model is a GGUF file.</source>
        <translation>%1 需要由 Hugging Face 模型文件夹（safetensors）生成；此模型是 GGUF 文件。</translation>
    </message>
    <message>
        <source>%1: %2-bit weights in groups of %3 · weights %4</source>
        <translation>%1：%2 位权重，每组 %3 个 · 权重 %4</translation>
    </message>
    <message>
        <source>The attention and MLP projections of every block are quantized; embeddings, the output layer and the norms keep their type. The machine profiles size GGUF files: a folder runs where its loaders run.</source>
        <translation>每个块的注意力和 MLP 投影会被量化；嵌入、输出层和归一化保持原类型。机器配置文件衡量的是 GGUF 文件：文件夹在其加载器能运行的地方运行。</translation>
    </message>
    <message>
        <source>Quantize %1 as %2</source>
        <translation>将 %1 量化为 %2</translation>
    </message>
    <message>
        <source>O&amp;utput format:</source>
        <translation>输出格式(&amp;U)：</translation>
    </message>
    <message>
        <source>What the run writes: one GGUF file, or a Hugging Face folder of quantized weights</source>
        <translation>运行写出的内容：一个 GGUF 文件，或一个包含量化权重的 Hugging Face 文件夹</translation>
    </message>
    <message>
        <source>&amp;Bits:</source>
        <translation>位数(&amp;B)：</translation>
    </message>
    <message>
        <source>Bits per weight of the quantized linears (AWQ: 4)</source>
        <translation>量化线性层每个权重的位数（AWQ：4）</translation>
    </message>
    <message>
        <source>&amp;Group size:</source>
        <translation>分组大小(&amp;G)：</translation>
    </message>
    <message>
        <source>Weights that share one scale: smaller groups are more exact and a little larger</source>
        <translation>共享一个缩放因子的权重数：分组越小越精确，体积也略大</translation>
    </message>
    <message>
        <source>Symmetric</source>
        <translation>对称</translation>
    </message>
    <message>
        <source>Asymmetric (zero points)</source>
        <translation>非对称（零点）</translation>
    </message>
    <message>
        <source>Asymmetric grids store a zero point per group (AWQ always does)</source>
        <translation>非对称网格为每组存储一个零点（AWQ 总是如此）</translation>
    </message>
    <message>
        <source>Symmetry</source>
        <translation>对称性</translation>
    </message>
    <message>
        <source>&amp;Act-order</source>
        <translation>按激活排序(&amp;A)</translation>
    </message>
    <message>
        <source>GPTQ quantizes the columns that matter most first (desc_act)</source>
        <translation>GPTQ 先量化最重要的列（desc_act）</translation>
    </message>
    <message>
        <source>%L1 tokens</source>
        <translation>%L1 个词元</translation>
    </message>
    <message>
        <source>&amp;Tokens:</source>
        <translation>词元数(&amp;T)：</translation>
    </message>
    <message>
        <source>How much of the calibration text the run reads: more tokens take longer and calibrate more evenly</source>
        <translation>运行读取多少校准文本：词元越多，耗时越长，校准越均匀</translation>
    </message>
</context>
<context>
    <name>condense::ui::ResultsPage</name>
    <message>
        <source> pts</source>
        <translation> 个百分点</translation>
    </message>
    <message>
        <source>Per-layer chart as PNG…</source>
        <translation>逐层图表导出为 PNG…</translation>
    </message>
    <message>
        <source>layers</source>
        <translation>layers</translation>
    </message>
    <message>
        <source>Comparison chart as PNG…</source>
        <translation>对比图表导出为 PNG…</translation>
    </message>
    <message>
        <source>comparison</source>
        <translation>comparison</translation>
    </message>
    <message>
        <source>Read earlier runs</source>
        <translation>读取以前的运行</translation>
    </message>
    <message>
        <source>%1 as %2</source>
        <translation>%1 量化为 %2</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <source>Bits per weight</source>
        <translation>每个权重的位数</translation>
    </message>
    <message>
        <source>Perplexity</source>
        <translation>困惑度</translation>
    </message>
    <message>
        <source>KL divergence</source>
        <translation>KL 散度</translation>
    </message>
    <message>
        <source>p99 %1</source>
        <translation>p99 %1</translation>
    </message>
    <message>
        <source>Same top token</source>
        <translation>首选词元一致</translation>
    </message>
    <message>
        <source>Top-1 accuracy</source>
        <translation>Top-1 准确率</translation>
    </message>
    <message>
        <source>Multiple choice (%1 tasks)</source>
        <translation>多项选择（%1 题）</translation>
    </message>
    <message>
        <source>Prompt tokens/s</source>
        <translation>提示词元/秒</translation>
    </message>
    <message>
        <source>Generation tokens/s</source>
        <translation>生成词元/秒</translation>
    </message>
    <message>
        <source>Size, planned → written</source>
        <translation>大小，计划 → 实际写入</translation>
    </message>
    <message>
        <source>Nothing has been run yet. On the Quantize page, pick the machine the model must run on and press “Quantize and test”: this page then compares the original and the quantized model.</source>
        <translation>尚未运行任何任务。在“量化”页面选择模型必须运行的机器并点击“量化并测试”：此页面随后会比较原模型与量化模型。</translation>
    </message>
    <message>
        <source>&amp;Run:</source>
        <translation>运行(&amp;R)：</translation>
    </message>
    <message>
        <source>Open &amp;report</source>
        <translation>打开报告(&amp;R)</translation>
    </message>
    <message>
        <source>Open report.html (charts, every figure) in the browser</source>
        <translation>在浏览器中打开 report.html（图表和全部数据）</translation>
    </message>
    <message>
        <source>E&amp;xport</source>
        <translation>导出(&amp;X)</translation>
    </message>
    <message>
        <source>Original → quantized</source>
        <translation>原模型 → 量化后</translation>
    </message>
    <message>
        <source>Per layer</source>
        <translation>逐层</translation>
    </message>
    <message>
        <source>Every run of this model</source>
        <translation>此模型的所有运行</translation>
    </message>
    <message>
        <source>Generation tokens/s, %1 (predicted) → here</source>
        <translation>生成词元/秒，%1（预测）→ 本机</translation>
    </message>
    <message>
        <source>%1 as %2: a %3 folder, method %4</source>
        <translation>%1 量化为 %2：%3 文件夹，方法 %4</translation>
    </message>
</context>
</TS>
