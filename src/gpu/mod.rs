//! Matrix products, a network's forward pass and whole training steps on WebGPU, through
//! web-sys's generated bindings. The kernels are WGSL (beside this file); this module finds
//! a device, keeps buffers across calls, records the passes and reads results back.
//!
//! Every call records and submits all its work synchronously and only then awaits the
//! read-back, so calls can overlap: the queue runs their work in submission order, and
//! each read-back maps a staging buffer of its own.

mod codes;
mod error;
mod ids;
mod net;

pub use codes::Epilogue;
pub use error::GpuError;
pub use ids::{BufferId, Product};
pub use net::Training;

use bytemuck::{Pod, Zeroable};
use codes::KernelCode;
use js_sys::{Float32Array, JsNullable};
use std::cell::RefCell;
use std::collections::HashMap;
use std::future::Future;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    gpu_buffer_usage as usage, gpu_map_mode, GpuAdapter, GpuAutoLayoutMode, GpuBindGroupDescriptor,
    GpuBindGroupEntry, GpuBuffer, GpuBufferDescriptor, GpuCommandEncoder, GpuComputePassEncoder,
    GpuComputePipeline, GpuComputePipelineDescriptor, GpuDevice, GpuDeviceDescriptor, GpuErrorFilter,
    GpuProgrammableStage, GpuQueue, GpuRequestAdapterOptions, GpuShaderModuleDescriptor,
};

/// A tiling of the general matmul kernel (matmul.wgsl): a workgroup of `wg_x × wg_y`
/// threads, each computing `tm × tn` entries of C, over slices of `kslice` values of K.
#[derive(Clone, Copy)]
struct Tiling {
    wg_x: usize,
    wg_y: usize,
    tm: usize,
    tn: usize,
    kslice: usize,
}

impl Tiling {
    /// 128 × 64 tiles of 128 threads with 8 × 8 blocks: each value read from shared memory
    /// feeds eight multiply-adds.
    const WIDE: Tiling = Tiling {
        wg_x: 8,
        wg_y: 16,
        tm: 8,
        tn: 8,
        kslice: 16,
    };
    /// 128 × 16 tiles of 64 threads, for the classifier's narrow layers (N ≤ 16), where a
    /// 64-wide tile would mostly compute zeros.
    const NARROW: Tiling = Tiling {
        wg_x: 4,
        wg_y: 16,
        tm: 8,
        tn: 4,
        kslice: 16,
    };

    fn tile_m(self) -> usize {
        self.wg_y * self.tm
    }
    fn tile_n(self) -> usize {
        self.wg_x * self.tn
    }

    /// The general kernel with this tiling's constants.
    fn source(self) -> String {
        let Tiling {
            wg_x,
            wg_y,
            tm,
            tn,
            kslice,
        } = self;
        let consts =
            format!("const WG_X = {wg_x}u;\nconst WG_Y = {wg_y}u;\nconst TM = {tm}u;\nconst TN = {tn}u;\n");
        let common = common_source();
        format!(
            "{consts}const KSLICE = {kslice}u;\n{common}\n{}",
            include_str!("matmul.wgsl")
        )
    }
}

/// A product with fewer tiles than this is split along K (when K is long enough), so that
/// enough workgroups run: a weight gradient `fan_in × fan_out` is one tile, summed over the
/// whole batch.
const MIN_WORKGROUPS: usize = 16;

/// What both matmul kernels start with: the epilogue codes and matmul_common.wgsl.
fn common_source() -> String {
    format!(
        "{}{}",
        codes::declarations::<Epilogue>(),
        include_str!("matmul_common.wgsl")
    )
}

/// The vectorised kernel, for row-major operands whose K and N are multiples of 4, with
/// `wg_x` vector columns per tile: 8 (32 × 32 tiles), or 4 (32 × 16) for narrow layers.
fn matmul_vec4_source(wg_x: usize) -> String {
    let common = common_source();
    format!(
        "const WG_X = {wg_x}u;\n{common}\n{}",
        include_str!("matmul_vec4.wgsl")
    )
}
/// Threads per workgroup of the element-wise kernels.
const GROUP: usize = 64;
/// The largest buffer we ask for: a 512 × 512 heatmap of a 64-wide layer is 64 MiB.
const MAX_BUFFER: f64 = 256.0 * 1024.0 * 1024.0;

/// A matmul kernel's entry point, with one pipeline per epilogue, each compiled the first
/// time a product needs it: the epilogue is a WGSL constant (`EPILOGUE`), so a pipeline
/// holds its own case of `finish4` alone.
struct Kernel {
    source: String,
    entry: &'static str,
    pipelines: RefCell<HashMap<Epilogue, GpuComputePipeline>>,
}

impl Kernel {
    fn new(source: String, entry: &'static str) -> Kernel {
        Kernel {
            source,
            entry,
            pipelines: RefCell::default(),
        }
    }

    fn pipeline(&self, device: &GpuDevice, epilogue: Epilogue) -> GpuComputePipeline {
        let mut pipelines = self.pipelines.borrow_mut();
        let made = pipelines.entry(epilogue).or_insert_with(|| {
            let code = format!("const EPILOGUE = {};\n{}", epilogue.name(), self.source);
            compile(device, &code, self.entry)
        });
        made.clone()
    }
}

/// The compute pipeline of `entry` in WGSL `code`, its bindings laid out from the code.
fn compile(device: &GpuDevice, code: &str, entry: &str) -> GpuComputePipeline {
    let module = device.create_shader_module(&GpuShaderModuleDescriptor::new(code));
    let stage = GpuProgrammableStage::new(&module);
    stage.set_entry_point(entry);
    let descriptor =
        GpuComputePipelineDescriptor::new_with_gpu_auto_layout_mode(GpuAutoLayoutMode::Auto, &stage);
    device.create_compute_pipeline(&descriptor)
}

/// matmul_common.wgsl's `Dims`, field for field.
#[derive(Clone, Copy, Pod, Zeroable)]
#[repr(C)]
struct Dims {
    m: u32,
    n: u32,
    k: u32,
    pad0: u32,
    /// `A[i, k] = a[i * a_row + k * a_col]`, and the same for B.
    a_row: u32,
    a_col: u32,
    b_row: u32,
    b_col: u32,
    /// Workgroup z sums K from `z * k_share`; `reduce` adds `splits` shares.
    k_share: u32,
    splits: u32,
    pad: [u32; 2],
}

impl Dims {
    /// An unsplit `m × k` by `k × n` product of `a` and `b`.
    fn new([m, k, n]: [usize; 3], a: &Operand, b: &Operand) -> Dims {
        let [m, n, k] = [m, n, k].map(|v| v as u32);
        Dims {
            m,
            n,
            k,
            pad0: 0,
            a_row: a.row,
            a_col: a.col,
            b_row: b.row,
            b_col: b.col,
            k_share: k,
            splits: 1,
            pad: [0; 2],
        }
    }
}

/// How a product with `tiles` tiles of C splits its `k` along K: `(share, splits)`, with
/// each share a whole number of `slice`s, at least 4 of them, and
/// `(splits − 1)·share < k ≤ splits·share`, so every K value is summed exactly once. Only
/// products with fewer than MIN_WORKGROUPS tiles are split.
fn split_k(k: usize, slice: usize, tiles: usize) -> (usize, usize) {
    let wanted = MIN_WORKGROUPS.div_ceil(tiles.max(1)).min(k / (4 * slice)).max(1);
    let share = k.div_ceil(wanted).max(1).next_multiple_of(slice);
    (share, k.div_ceil(share).max(1))
}

/// A matrix operand: a buffer and how to find `X[i, k]` in it (`i * row + k * col`), so a
/// transposed view is just other strides.
#[derive(Clone, Copy)]
pub struct Operand<'a> {
    pub buffer: &'a GpuBuffer,
    pub row: u32,
    pub col: u32,
}

impl<'a> Operand<'a> {
    /// A row-major matrix with `cols` columns.
    pub fn rows(buffer: &'a GpuBuffer, cols: usize) -> Self {
        Operand {
            buffer,
            row: cols as u32,
            col: 1,
        }
    }
    /// The transpose of a row-major matrix with `cols` columns.
    pub fn transposed(buffer: &'a GpuBuffer, cols: usize) -> Self {
        Operand {
            buffer,
            row: 1,
            col: cols as u32,
        }
    }
}

pub struct Gpu {
    device: GpuDevice,
    queue: GpuQueue,
    /// The adapter's vendor, architecture and description, as it gives them.
    pub name: String,
    /// A software adapter (SwiftShader, lavapipe): correct, but slower than the CPU kernel.
    pub software: bool,
    matmul: Kernel,
    /// The same with `Tiling::NARROW`.
    matmul_narrow: Kernel,
    /// The same for row-major operands with K and N multiples of 4: 32 × 32 tiles, and
    /// 32 × 16 for N ≤ 16.
    matmul_vec4: Kernel,
    matmul_vec4_narrow: Kernel,
    /// Adds the shares of a product split along K.
    reduce: Kernel,
    column_sums: GpuComputePipeline,
    loss: GpuComputePipeline,
    update: GpuComputePipeline,
    /// The buffers kept across calls, grown when too small and reused otherwise.
    buffers: RefCell<HashMap<BufferId, GpuBuffer>>,
    /// What was last written to each uniform buffer.
    uniforms: RefCell<HashMap<BufferId, (GpuBuffer, Vec<u8>)>>,
    /// Staging buffers for read-backs that are not in flight.
    staging: RefCell<Vec<GpuBuffer>>,
}

impl Gpu {
    /// Finds an adapter (a full one, else a compatibility-mode one) and a device, or says
    /// why there is none.
    pub async fn open() -> Result<Gpu, GpuError> {
        let window = web_sys::window().ok_or(GpuError::NoWindow)?;
        let navigator = window.navigator();
        if !js_sys::Reflect::has(&navigator, &"gpu".into()).unwrap_or(false) {
            return Err(GpuError::NoWebGpu);
        }
        let gpu = navigator.gpu();
        let mut adapter: Option<GpuAdapter> = gpu.request_adapter().await?.into_option();
        if adapter.is_none() {
            let options = GpuRequestAdapterOptions::new();
            options.set_feature_level("compatibility");
            adapter = gpu.request_adapter_with_options(&options).await?.into_option();
        }
        let adapter = adapter.ok_or(GpuError::NoAdapter)?;
        let limits = adapter.limits();
        let wanted = js_sys::Object::new();
        for (key, have) in [
            (
                "maxStorageBufferBindingSize",
                limits.max_storage_buffer_binding_size(),
            ),
            ("maxBufferSize", limits.max_buffer_size()),
        ] {
            js_sys::Reflect::set(&wanted, &key.into(), &have.min(MAX_BUFFER).into())?;
        }
        let descriptor = GpuDeviceDescriptor::new();
        descriptor.set_required_limits(wanted.unchecked_ref());
        let device: GpuDevice = adapter
            .request_device_with_descriptor(&descriptor)
            .await
            .map_err(|e| GpuError::DeviceRefused(error::message_of(&e)))?;
        let info = adapter.info();
        let parts = [
            info.vendor(),
            info.architecture(),
            info.device(),
            info.description(),
        ];
        let name = parts
            .iter()
            .filter(|p| !p.is_empty())
            .cloned()
            .collect::<Vec<_>>()
            .join(" ");
        // Compatibility-mode adapters (lavapipe through ANGLE, for one) may give no name.
        // Such an adapter lacks the "core-features-and-limits" feature.
        let compatibility = !adapter.features().has("core-features-and-limits");
        let name = match (name.is_empty(), compatibility) {
            (false, _) => name,
            (true, true) => "a compatibility-mode adapter that gives no name".to_string(),
            (true, _) => "an adapter that gives no name".to_string(),
        };
        let pipeline = |code: &str, entry: &str| compile(&device, code, entry);
        Ok(Gpu {
            queue: device.queue(),
            name,
            software: info.is_fallback_adapter() || {
                let text = format!("{} {}", info.description(), info.architecture()).to_lowercase();
                ["swiftshader", "llvmpipe", "lavapipe"]
                    .iter()
                    .any(|s| text.contains(s))
            },
            matmul: Kernel::new(Tiling::WIDE.source(), "main"),
            matmul_narrow: Kernel::new(Tiling::NARROW.source(), "main"),
            reduce: Kernel::new(Tiling::WIDE.source(), "reduce"),
            column_sums: Kernel::new(Tiling::WIDE.source(), "column_sums")
                .pipeline(&device, Epilogue::Partial),
            matmul_vec4: Kernel::new(matmul_vec4_source(8), "main"),
            matmul_vec4_narrow: Kernel::new(matmul_vec4_source(4), "main"),
            loss: pipeline(&net::loss_source(), "loss_grad"),
            update: pipeline(&net::optimizer_source(), "update"),
            device,
            buffers: RefCell::default(),
            uniforms: RefCell::default(),
            staging: RefCell::default(),
        })
    }

    /// Resolves with the reason when the device is lost (driver reset, GPU removed).
    pub fn lost(&self) -> impl std::future::Future<Output = String> + 'static {
        let lost = self.device.lost();
        async move {
            match lost.await {
                Ok(info) if !info.message().is_empty() => info.message(),
                _ => "device lost".to_string(),
            }
        }
    }

    /// Releases the device; what a driver reset looks like to the page (`lost` resolves).
    pub fn destroy(&self) {
        self.device.destroy();
    }

    /// Buffer `id` with at least `bytes`, reused across calls. A buffer that is too small is
    /// replaced; work already submitted keeps the old one alive until it finishes.
    fn buffer(&self, id: BufferId, bytes: usize, usage: u32) -> Result<GpuBuffer, GpuError> {
        let size = bytes.div_ceil(16).max(1) * 16;
        let mut buffers = self.buffers.borrow_mut();
        if let Some(b) = buffers.get(&id) {
            if b.size() >= size as f64 && b.usage() == usage {
                return Ok(b.clone());
            }
            b.destroy();
        }
        let b = self
            .device
            .create_buffer(&GpuBufferDescriptor::new_with_f64(size as f64, usage))?;
        buffers.insert(id, b.clone());
        Ok(b)
    }

    /// Storage buffer `id` holding `values` (written when the queue reaches it).
    pub fn upload(&self, id: BufferId, values: &[f32]) -> Result<GpuBuffer, GpuError> {
        self.upload_floats(id, Floats::Wasm(values))
    }

    fn upload_floats(&self, id: BufferId, values: Floats) -> Result<GpuBuffer, GpuError> {
        let b = self.scratch(id, values.len())?;
        match values {
            Floats::Wasm(values) => {
                self.queue
                    .write_buffer_with_u32_and_u8_slice(&b, 0, bytemuck::cast_slice(values))?
            }
            Floats::Js(values) => self
                .queue
                .write_buffer_with_u32_and_buffer_source(&b, 0, values)?,
        }
        Ok(b)
    }

    /// Storage buffer `id` for `floats` values computed on the GPU.
    pub fn scratch(&self, id: BufferId, floats: usize) -> Result<GpuBuffer, GpuError> {
        self.buffer(id, floats * 4, usage::STORAGE | usage::COPY_DST | usage::COPY_SRC)
    }

    /// Uniform buffer `id` holding `value`. Most uniforms repeat from one call or training step
    /// to the next, so a write is skipped when the buffer, as the queue will see it, already
    /// holds these bytes: each write is a copy the GPU has to make.
    fn uniform<U: Pod>(&self, id: BufferId, value: &U) -> Result<GpuBuffer, GpuError> {
        let bytes = bytemuck::bytes_of(value);
        let b = self.buffer(id, bytes.len(), usage::UNIFORM | usage::COPY_DST)?;
        let mut written = self.uniforms.borrow_mut();
        let same = written
            .get(&id)
            .is_some_and(|(buffer, last)| buffer == &b && last == bytes);
        if !same {
            self.queue.write_buffer_with_u32_and_u8_slice(&b, 0, bytes)?;
            written.insert(id, (b.clone(), bytes.to_vec()));
        }
        Ok(b)
    }

    /// Records one dispatch of `pipeline` with `buffers` bound to 0, 1, 2, … of group 0.
    fn dispatch(
        &self,
        pass: &GpuComputePassEncoder,
        pipeline: &GpuComputePipeline,
        buffers: &[&GpuBuffer],
        groups: (usize, usize),
    ) {
        let bindings: Vec<(u32, &GpuBuffer)> =
            buffers.iter().enumerate().map(|(i, &b)| (i as u32, b)).collect();
        self.dispatch_bound(pass, pipeline, &bindings, [groups.0, groups.1, 1]);
    }

    /// Records one dispatch of `pipeline` with `(binding, buffer)` pairs in group 0. The
    /// dispatches of one pass see each other's writes: WebGPU orders them.
    fn dispatch_bound(
        &self,
        pass: &GpuComputePassEncoder,
        pipeline: &GpuComputePipeline,
        bindings: &[(u32, &GpuBuffer)],
        [x, y, z]: [usize; 3],
    ) {
        let entries: Vec<GpuBindGroupEntry> = bindings
            .iter()
            .map(|&(i, b)| GpuBindGroupEntry::new_with_gpu_buffer(i, b))
            .collect();
        let layout = pipeline.get_bind_group_layout(0);
        let group = self
            .device
            .create_bind_group(&GpuBindGroupDescriptor::new(&entries, &layout));
        pass.set_pipeline(pipeline);
        pass.set_bind_group(0, Some(&group));
        pass.dispatch_workgroups_with_workgroup_count_y_and_workgroup_count_z(x as u32, y as u32, z as u32);
    }

    /// Records `out = epilogue(A·B)` for an `m × k` A and a `k × n` B. `product` says which
    /// product this is, for its own uniforms: one per product recorded into a submission.
    #[allow(clippy::too_many_arguments)]
    pub fn encode_matmul(
        &self,
        pass: &GpuComputePassEncoder,
        product: Product,
        a: Operand,
        b: Operand,
        extra: &GpuBuffer,
        out: &GpuBuffer,
        [m, k, n]: [usize; 3],
        epilogue: Epilogue,
    ) -> Result<(), GpuError> {
        if m == 0 || n == 0 {
            return Ok(()); // C is empty
        }
        let mut dims = Dims::new([m, k, n], &a, &b);
        let narrow = n <= Tiling::NARROW.tile_n();
        let plain = |o: &Operand, cols: usize| o.col == 1 && o.row as usize == cols;
        if k % 4 == 0 && n % 4 == 0 && plain(&a, k) && plain(&b, n) {
            let (kernel, tile_n) = if narrow {
                (&self.matmul_vec4_narrow, 16)
            } else {
                (&self.matmul_vec4, 32)
            };
            let pipeline = kernel.pipeline(&self.device, epilogue);
            let uniform = self.uniform(BufferId::Dims(product), &dims)?;
            let bindings = [(0, a.buffer), (1, b.buffer), (2, extra), (3, out), (4, &uniform)];
            self.dispatch_bound(
                pass,
                &pipeline,
                &bindings,
                [n.div_ceil(tile_n), m.div_ceil(32), 1],
            );
            return Ok(());
        }
        let (tiling, kernel) = if narrow {
            (Tiling::NARROW, &self.matmul_narrow)
        } else {
            (Tiling::WIDE, &self.matmul)
        };
        let tiles = [n.div_ceil(tiling.tile_n()), m.div_ceil(tiling.tile_m())];
        let (share, splits) = split_k(k, tiling.kslice, tiles[0] * tiles[1]);
        (dims.k_share, dims.splits) = (share as u32, splits as u32);
        if splits == 1 {
            let pipeline = kernel.pipeline(&self.device, epilogue);
            let uniform = self.uniform(BufferId::Dims(product), &dims)?;
            let bindings = [(0, a.buffer), (1, b.buffer), (2, extra), (3, out), (4, &uniform)];
            self.dispatch_bound(pass, &pipeline, &bindings, [tiles[0], tiles[1], 1]);
            return Ok(());
        }
        // Each share's sums into `shares`, then the shares added and the epilogue applied.
        let shares = self.scratch(BufferId::Shares(product), splits * m * n)?;
        let uniform = self.uniform(BufferId::Dims(product), &dims)?;
        let share = kernel.pipeline(&self.device, Epilogue::Partial);
        let bindings = [
            (0, a.buffer),
            (1, b.buffer),
            (2, extra),
            (3, &shares),
            (4, &uniform),
        ];
        self.dispatch_bound(pass, &share, &bindings, [tiles[0], tiles[1], splits]);
        let reduce = self.reduce.pipeline(&self.device, epilogue);
        let bindings = [(0, &shares), (2, extra), (3, out), (4, &uniform)];
        self.dispatch_bound(pass, &reduce, &bindings, [(m * n).div_ceil(GROUP), 1, 1]);
        Ok(())
    }

    /// Records `out = 1ᵀ·x`, the column sums of a row-major `m × n` x.
    pub fn encode_column_sums(
        &self,
        pass: &GpuComputePassEncoder,
        product: Product,
        x: &GpuBuffer,
        out: &GpuBuffer,
        [m, n]: [usize; 2],
    ) -> Result<(), GpuError> {
        // Only m, n and x's row stride are read.
        let dims = Dims {
            m: m as u32,
            n: n as u32,
            a_row: n as u32,
            a_col: 1,
            splits: 1,
            ..Dims::zeroed()
        };
        let dims = self.uniform(BufferId::Dims(product), &dims)?;
        let bindings = [(0, x), (3, out), (4, &dims)];
        self.dispatch_bound(pass, &self.column_sums, &bindings, [n.div_ceil(GROUP), 1, 1]);
        Ok(())
    }

    /// Records copies of each `(buffer, floats)` into one staging buffer at the end of
    /// `encoder`, for `read` once the work is submitted.
    fn copy_out(
        &self,
        encoder: &GpuCommandEncoder,
        sources: &[(&GpuBuffer, usize)],
    ) -> Result<ReadBack, GpuError> {
        let floats: Vec<usize> = sources.iter().map(|s| s.1).collect();
        let size = (floats.iter().sum::<usize>() * 4).max(16).div_ceil(16) * 16;
        let pooled = self.staging.borrow().iter().position(|b| b.size() >= size as f64);
        let staging = match pooled {
            Some(i) => self.staging.borrow_mut().swap_remove(i),
            None => self.device.create_buffer(&GpuBufferDescriptor::new_with_f64(
                size as f64,
                usage::MAP_READ | usage::COPY_DST,
            ))?,
        };
        let mut offset = 0;
        for &(buffer, n) in sources {
            let (at, bytes) = ((offset * 4) as f64, (n * 4) as f64);
            encoder.copy_buffer_to_buffer_with_f64_and_f64_and_f64(buffer, 0.0, &staging, at, bytes)?;
            offset += n;
        }
        Ok(ReadBack {
            staging,
            size,
            floats,
        })
    }

    /// Opens error scopes around work about to be submitted, so that validation and
    /// out-of-memory errors come back as errors rather than as console warnings.
    fn watch(&self) {
        self.device.push_error_scope(GpuErrorFilter::OutOfMemory);
        self.device.push_error_scope(GpuErrorFilter::Validation);
    }

    /// Closes the scopes `watch` opened, innermost first (in the same synchronous stretch,
    /// so overlapping calls never see each other's scopes).
    fn errors(&self) -> Scopes {
        // Futures at once, not promises: a future handles its promise's rejection from the
        // start, so a lost device never leaves one unhandled, even if it is dropped unawaited.
        let validation = JsFuture::from(self.device.pop_error_scope());
        let out_of_memory = JsFuture::from(self.device.pop_error_scope());
        Scopes {
            validation,
            out_of_memory,
        }
    }

    /// Maps the staging buffer, checks the scopes' verdict, and splits the results up, each
    /// taken out of the mapping by `take` (into wasm memory, or into a JavaScript array).
    async fn read<R>(
        &self,
        errors: Scopes,
        back: ReadBack,
        take: impl Fn(Float32Array) -> R,
    ) -> Result<Vec<R>, GpuError> {
        // Ask for the mapping at once: the scopes' verdict and the mapping then cost one
        // round trip to the GPU process between them, not three.
        let staging = back.staging;
        let mapping =
            JsFuture::from(staging.map_async_with_u32_and_f64(gpu_map_mode::READ, 0, back.size as f64));
        // The mapping is awaited whatever the scopes say. On a lost device the scopes find
        // nothing and the mapping aborts. A failed read-back's staging buffer is dropped.
        let validation = verdict(errors.validation, GpuError::Validation).await;
        let out_of_memory = verdict(errors.out_of_memory, GpuError::OutOfMemory).await;
        let mapped = mapping.await;
        if let Some(error) = validation.or(out_of_memory) {
            return Err(error);
        }
        mapped?;
        let mapped = Float32Array::new(
            &staging
                .get_mapped_range_with_f64_and_f64(0.0, back.size as f64)?
                .into(),
        );
        let mut out = Vec::with_capacity(back.floats.len());
        let mut offset = 0;
        for n in back.floats {
            out.push(take(mapped.subarray(offset as u32, (offset + n) as u32)));
            offset += n;
        }
        staging.unmap();
        self.staging.borrow_mut().push(staging);
        Ok(out)
    }

    /// Records work with `record` (which returns the buffers to read back and how many
    /// values of each) and submits it; `Pending::wait` then gives their contents.
    /// Everything from the first buffer `record` makes to the submission is inside the
    /// error scopes.
    pub fn record_and_read(
        self: &Rc<Self>,
        record: impl FnOnce(&GpuCommandEncoder) -> Result<Vec<(GpuBuffer, usize)>, GpuError>,
    ) -> Result<Pending, GpuError> {
        self.watch();
        let recorded = (|| -> Result<ReadBack, GpuError> {
            let encoder = self.encoder();
            let sources = record(&encoder)?;
            let sources: Vec<(&GpuBuffer, usize)> = sources.iter().map(|(b, n)| (b, *n)).collect();
            let back = self.copy_out(&encoder, &sources)?;
            self.queue.submit(&[encoder.finish()]);
            Ok(back)
        })();
        let errors = self.errors(); // on every path: the scopes must be closed
        Ok(Pending {
            gpu: Rc::clone(self),
            errors,
            back: recorded?,
        })
    }

    pub fn encoder(&self) -> GpuCommandEncoder {
        self.device.create_command_encoder()
    }

    /// `C = A·B` for row-major `m × k` A and `k × n` B.
    pub fn multiply(
        self: &Rc<Self>,
        a: &[f32],
        b: &[f32],
        shape: [usize; 3],
    ) -> Result<impl Future<Output = Result<Vec<f32>, GpuError>> + 'static, GpuError> {
        let read = self.record_multiply(Floats::Wasm(a), Floats::Wasm(b), shape)?;
        Ok(async move { Ok(read.wait().await?.remove(0)) })
    }

    /// Submits `C = A·B` ([`Gpu::multiply`]); the pending read gives C, the only result.
    pub fn record_multiply(
        self: &Rc<Self>,
        a: Floats,
        b: Floats,
        [m, k, n]: [usize; 3],
    ) -> Result<Pending, GpuError> {
        let [mk, kn, _] = [checked_len(m, k)?, checked_len(k, n)?, checked_len(m, n)?];
        for (operand, values, [rows, cols], len) in [("A", a, [m, k], mk), ("B", b, [k, n], kn)] {
            if values.len() != len {
                return Err(GpuError::Shape {
                    operand,
                    rows,
                    cols,
                    values: values.len(),
                });
            }
        }
        self.record_and_read(|encoder| {
            let out = self.scratch(BufferId::MultiplyC, m * n)?;
            let unread = self.scratch(BufferId::Unread, 1)?;
            let (a, b) = (
                self.upload_floats(BufferId::MultiplyA, a)?,
                self.upload_floats(BufferId::MultiplyB, b)?,
            );
            let (a, b) = (Operand::rows(&a, k), Operand::rows(&b, n));
            let pass = encoder.begin_compute_pass();
            self.encode_matmul(
                &pass,
                Product::Multiply,
                a,
                b,
                &unread,
                &out,
                [m, k, n],
                Epilogue::Partial,
            )?;
            pass.end();
            Ok(vec![(out, m * n)])
        })
    }
}

/// A product's operand: values in wasm memory, or a JavaScript array, which goes to the GPU
/// straight from JavaScript rather than through a copy into wasm memory first.
#[derive(Clone, Copy)]
pub enum Floats<'a> {
    Wasm(&'a [f32]),
    Js(&'a Float32Array),
}

impl Floats<'_> {
    fn len(&self) -> usize {
        match self {
            Floats::Wasm(values) => values.len(),
            Floats::Js(values) => values.length() as usize,
        }
    }
}

/// The values of a `rows × cols` matrix, if the engine accepts that many (`Shape::MAX_LEN`).
pub(crate) fn checked_len(rows: usize, cols: usize) -> Result<usize, GpuError> {
    let limit = crate::tensor::Shape::MAX_LEN;
    rows.checked_mul(cols)
        .filter(|&len| len <= limit)
        .ok_or(GpuError::TooLarge {
            values: rows as u64 * cols as u64,
            limit,
        })
}

/// The verdict of an error scope: the first error it caught, if any.
type Scope = JsFuture<JsNullable<web_sys::GpuError>>;

/// The verdicts of the two error scopes around some submitted work.
struct Scopes {
    validation: Scope,
    out_of_memory: Scope,
}

/// What `scope` caught, as `error` of WebGPU's message.
async fn verdict(scope: Scope, error: fn(String) -> GpuError) -> Option<GpuError> {
    match scope.await {
        Ok(found) => found.into_option().map(|e| error(e.message())),
        Err(e) => Some(GpuError::from(e)),
    }
}

/// Submitted work whose results are on their way back.
pub struct Pending {
    gpu: Rc<Gpu>,
    errors: Scopes,
    back: ReadBack,
}

impl Pending {
    /// The results, in wasm memory.
    pub async fn wait(self) -> Result<Vec<Vec<f32>>, GpuError> {
        self.gpu.read(self.errors, self.back, |view| view.to_vec()).await
    }

    /// The results as JavaScript arrays, for results that go straight to the page: one copy
    /// out of the mapping, where going through wasm memory made two.
    pub async fn wait_js(self) -> Result<Vec<Float32Array>, GpuError> {
        self.gpu
            .read(self.errors, self.back, |view| view.slice(0, view.length()))
            .await
    }
}

/// A staging buffer that results are being copied into.
struct ReadBack {
    staging: GpuBuffer,
    size: usize,
    floats: Vec<usize>,
}

/// Groups of `GROUP` threads to cover `n` items.
fn groups(n: usize) -> (usize, usize) {
    (n.div_ceil(GROUP), 1)
}
