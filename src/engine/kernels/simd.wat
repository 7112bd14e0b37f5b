;; gankit's SIMD kernels: a small wasm module that imports tfjs-wasm's own memory and works on
;; tensors in place (pointers are byte offsets into that memory). Source of
;; src/engine/kernels/simdModule.ts (`npm run build:simd`; a test checks the two agree).
;; MEMORY is replaced by the build: `(memory 1)` for tfjs's single-threaded heap,
;; `(memory 1 65536 shared)` for its threaded one (an import must match the memory's sharing).
;;
;; Every f32x4 operation rounds each lane to float32 exactly as the scalar operation does, so the
;; results equal the op-by-op rules bit for bit — except tanh, an approximation (within 1.3 ulps).
(module
  (import "env" "memory" MEMORY)

  ;; Adam, one pass (see kernels/adam.ts for the formula and the order of operations):
  ;;   m' = b1·m + a1·g;  v' = b2·v + a2·(g·g);  θ' = θ − s·(m' / (√v' / bc + ε))
  (func (export "adam")
    (param $theta i32) (param $m i32) (param $v i32) (param $g i32)
    (param $outTheta i32) (param $outM i32) (param $outV i32) (param $n i32)
    (param $b1 f32) (param $a1 f32) (param $b2 f32) (param $a2 f32) (param $s f32) (param $bc f32) (param $eps f32)
    (local $i i32) (local $off i32) (local $end4 i32)
    (local $gv v128) (local $mv v128) (local $vv v128)
    (local $gs f32) (local $ms f32) (local $vs f32)
    (local.set $end4 (i32.and (local.get $n) (i32.const -4)))
    (block $done
      (loop $simd
        (br_if $done (i32.ge_u (local.get $i) (local.get $end4)))
        (local.set $off (i32.shl (local.get $i) (i32.const 2)))
        (local.set $gv (v128.load align=4 (i32.add (local.get $g) (local.get $off))))
        (local.set $mv
          (f32x4.add
            (f32x4.mul (f32x4.splat (local.get $b1)) (v128.load align=4 (i32.add (local.get $m) (local.get $off))))
            (f32x4.mul (f32x4.splat (local.get $a1)) (local.get $gv))))
        (local.set $vv
          (f32x4.add
            (f32x4.mul (f32x4.splat (local.get $b2)) (v128.load align=4 (i32.add (local.get $v) (local.get $off))))
            (f32x4.mul (f32x4.splat (local.get $a2)) (f32x4.mul (local.get $gv) (local.get $gv)))))
        (v128.store align=4 (i32.add (local.get $outM) (local.get $off)) (local.get $mv))
        (v128.store align=4 (i32.add (local.get $outV) (local.get $off)) (local.get $vv))
        (v128.store align=4 (i32.add (local.get $outTheta) (local.get $off))
          (f32x4.sub
            (v128.load align=4 (i32.add (local.get $theta) (local.get $off)))
            (f32x4.mul (f32x4.splat (local.get $s))
              (f32x4.div (local.get $mv)
                (f32x4.add (f32x4.div (f32x4.sqrt (local.get $vv)) (f32x4.splat (local.get $bc))) (f32x4.splat (local.get $eps)))))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $simd)))
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $off (i32.shl (local.get $i) (i32.const 2)))
        (local.set $gs (f32.load (i32.add (local.get $g) (local.get $off))))
        (local.set $ms
          (f32.add
            (f32.mul (local.get $b1) (f32.load (i32.add (local.get $m) (local.get $off))))
            (f32.mul (local.get $a1) (local.get $gs))))
        (local.set $vs
          (f32.add
            (f32.mul (local.get $b2) (f32.load (i32.add (local.get $v) (local.get $off))))
            (f32.mul (local.get $a2) (f32.mul (local.get $gs) (local.get $gs)))))
        (f32.store (i32.add (local.get $outM) (local.get $off)) (local.get $ms))
        (f32.store (i32.add (local.get $outV) (local.get $off)) (local.get $vs))
        (f32.store (i32.add (local.get $outTheta) (local.get $off))
          (f32.sub
            (f32.load (i32.add (local.get $theta) (local.get $off)))
            (f32.mul (local.get $s)
              (f32.div (local.get $ms)
                (f32.add (f32.div (f32.sqrt (local.get $vs)) (local.get $bc)) (local.get $eps))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $tail))))

  ;; dst[i] += src[i] for i < n.
  (func $addInto (export "addInto") (param $dst i32) (param $src i32) (param $n i32)
    (local $end i32) (local $end16 i32)
    (local.set $end (i32.add (local.get $dst) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $end16 (i32.add (local.get $dst) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $done
      (loop $simd
        (br_if $done (i32.ge_u (local.get $dst) (local.get $end16)))
        (v128.store align=4 (local.get $dst) (f32x4.add (v128.load align=4 (local.get $dst)) (v128.load align=4 (local.get $src))))
        (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
        (local.set $src (i32.add (local.get $src) (i32.const 16)))
        (br $simd)))
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $dst) (local.get $end)))
        (f32.store (local.get $dst) (f32.add (f32.load (local.get $dst)) (f32.load (local.get $src))))
        (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
        (local.set $src (i32.add (local.get $src) (i32.const 4)))
        (br $tail))))

  ;; x[r, c] ← act(x[r, c] + bias[c]) over a rows × cols matrix (bias 0: none).
  ;; kind 0 linear, 1 relu (max(x, 0)), 2 relu6, 3 leaky relu (x < 0 ? α·x : x). Inline (V8 does
  ;; not inline wasm calls: a call per vector cost more than the work).
  (func (export "biasActivation") (param $x i32) (param $bias i32) (param $rows i32) (param $cols i32) (param $kind i32) (param $alpha f32)
    (local $r i32) (local $c4 i32) (local $rb i32) (local $end i32) (local $v v128) (local $al v128) (local $s f32)
    (local.set $rb (i32.shl (local.get $cols) (i32.const 2)))
    (local.set $end (i32.and (local.get $rb) (i32.const -16)))
    (local.set $al (f32x4.splat (local.get $alpha)))
    (block $rowsDone
      (loop $row
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $c4 (i32.const 0))
        (block $simdDone
          (loop $simd
            (br_if $simdDone (i32.ge_u (local.get $c4) (local.get $end)))
            (local.set $v (v128.load align=4 (i32.add (local.get $x) (local.get $c4))))
            (if (local.get $bias)
              (then (local.set $v (f32x4.add (local.get $v) (v128.load align=4 (i32.add (local.get $bias) (local.get $c4)))))))
            (if (i32.eq (local.get $kind) (i32.const 1))
              (then (local.set $v (f32x4.max (local.get $v) (v128.const i32x4 0 0 0 0))))
              (else (if (i32.eq (local.get $kind) (i32.const 3))
                (then (local.set $v (v128.bitselect (f32x4.mul (local.get $v) (local.get $al)) (local.get $v) (f32x4.lt (local.get $v) (v128.const i32x4 0 0 0 0)))))
                (else (if (i32.eq (local.get $kind) (i32.const 2))
                  (then (local.set $v (f32x4.min (f32x4.max (local.get $v) (v128.const i32x4 0 0 0 0)) (f32x4.splat (f32.const 6))))))))))
            (v128.store align=4 (i32.add (local.get $x) (local.get $c4)) (local.get $v))
            (local.set $c4 (i32.add (local.get $c4) (i32.const 16)))
            (br $simd)))
        (block $tailDone
          (loop $tail
            (br_if $tailDone (i32.ge_u (local.get $c4) (local.get $rb)))
            (local.set $s (f32.load (i32.add (local.get $x) (local.get $c4))))
            (if (local.get $bias)
              (then (local.set $s (f32.add (local.get $s) (f32.load (i32.add (local.get $bias) (local.get $c4)))))))
            (if (i32.eq (local.get $kind) (i32.const 1))
              (then (local.set $s (f32.max (local.get $s) (f32.const 0))))
              (else (if (i32.eq (local.get $kind) (i32.const 3))
                (then (local.set $s (select (f32.mul (local.get $s) (local.get $alpha)) (local.get $s) (f32.lt (local.get $s) (f32.const 0)))))
                (else (if (i32.eq (local.get $kind) (i32.const 2))
                  (then (local.set $s (f32.min (f32.max (local.get $s) (f32.const 0)) (f32.const 6)))))))))
            (f32.store (i32.add (local.get $x) (local.get $c4)) (local.get $s))
            (local.set $c4 (i32.add (local.get $c4) (i32.const 4)))
            (br $tail)))
        (local.set $x (i32.add (local.get $x) (local.get $rb)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $row))))
  ;; out[i] = x[i] < 0 ? α·x[i] : x[i]  (leaky relu)
  (func (export "leakyRelu") (param $x i32) (param $out i32) (param $n i32) (param $alpha f32)
    (local $end i32) (local $end16 i32) (local $v v128) (local $s f32)
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $end16 (i32.add (local.get $x) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $done
      (loop $simd
        (br_if $done (i32.ge_u (local.get $x) (local.get $end16)))
        (local.set $v (v128.load align=4 (local.get $x)))
        (v128.store align=4 (local.get $out)
          (v128.bitselect (f32x4.mul (local.get $v) (f32x4.splat (local.get $alpha))) (local.get $v) (f32x4.lt (local.get $v) (f32x4.splat (f32.const 0)))))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (local.set $out (i32.add (local.get $out) (i32.const 16)))
        (br $simd)))
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $s (f32.load (local.get $x)))
        (f32.store (local.get $out) (select (f32.mul (local.get $s) (local.get $alpha)) (local.get $s) (f32.lt (local.get $s) (f32.const 0))))
        (local.set $x (i32.add (local.get $x) (i32.const 4)))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (br $tail))))

  ;; out[i] = x[i] > 0 ? dy[i] : α·dy[i]  (the gradient of leaky relu; relu with α = 0)
  (func (export "leakyReluGrad") (param $dy i32) (param $x i32) (param $out i32) (param $n i32) (param $alpha f32)
    (local $end i32) (local $end16 i32) (local $d v128) (local $s f32)
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $end16 (i32.add (local.get $x) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $done
      (loop $simd
        (br_if $done (i32.ge_u (local.get $x) (local.get $end16)))
        (local.set $d (v128.load align=4 (local.get $dy)))
        (v128.store align=4 (local.get $out)
          (v128.bitselect (local.get $d) (f32x4.mul (local.get $d) (f32x4.splat (local.get $alpha))) (f32x4.gt (v128.load align=4 (local.get $x)) (f32x4.splat (f32.const 0)))))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (local.set $dy (i32.add (local.get $dy) (i32.const 16)))
        (local.set $out (i32.add (local.get $out) (i32.const 16)))
        (br $simd)))
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $s (f32.load (local.get $dy)))
        (f32.store (local.get $out) (select (local.get $s) (f32.mul (local.get $s) (local.get $alpha)) (f32.gt (f32.load (local.get $x)) (f32.const 0))))
        (local.set $x (i32.add (local.get $x) (i32.const 4)))
        (local.set $dy (i32.add (local.get $dy) (i32.const 4)))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (br $tail))))

  ;; ELU's gradient from its output y = elu(x): y > 0 ? dy : dy·(y + 1)  (kernels/elu.ts).
  (func (export "eluGrad") (param $dy i32) (param $y i32) (param $out i32) (param $n i32)
    (local $end i32) (local $end16 i32) (local $d v128) (local $v v128) (local $s f32) (local $t f32)
    (local.set $end (i32.add (local.get $y) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $end16 (i32.add (local.get $y) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $done
      (loop $simd
        (br_if $done (i32.ge_u (local.get $y) (local.get $end16)))
        (local.set $d (v128.load align=4 (local.get $dy)))
        (local.set $v (v128.load align=4 (local.get $y)))
        (v128.store align=4 (local.get $out)
          (v128.bitselect (local.get $d) (f32x4.mul (local.get $d) (f32x4.add (local.get $v) (f32x4.splat (f32.const 1)))) (f32x4.gt (local.get $v) (f32x4.splat (f32.const 0)))))
        (local.set $y (i32.add (local.get $y) (i32.const 16)))
        (local.set $dy (i32.add (local.get $dy) (i32.const 16)))
        (local.set $out (i32.add (local.get $out) (i32.const 16)))
        (br $simd)))
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $y) (local.get $end)))
        (local.set $s (f32.load (local.get $dy)))
        (local.set $t (f32.load (local.get $y)))
        (f32.store (local.get $out) (select (local.get $s) (f32.mul (local.get $s) (f32.add (local.get $t) (f32.const 1))) (f32.gt (local.get $t) (f32.const 0))))
        (local.set $y (i32.add (local.get $y) (i32.const 4)))
        (local.set $dy (i32.add (local.get $dy) (i32.const 4)))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (br $tail))))

;; tanh (kernels/tanh.ts has the method and its error bound). With t = min(|x|, 10):
  ;;   t < 0.625: t·P(t²), P a degree-5 relative fit of tanh(t)/t (P(0) = 1: tiny t come back exact);
  ;;   else:      1 − 2/(eᵘ + 1), u = 2t, eᵘ = 2ⁿ·Q(r), n = round(u/ln 2), r = u − n·ln 2 (two-part
  ;;              ln 2, exact n·hi), Q a degree-6 relative fit of eʳ on |r| ≤ ln2/2;
  ;; then x's sign. NaN stays NaN; ±∞ gives ±1.
  (func $tanh4 (param $x v128) (result v128)
    (local $t v128) (local $s v128) (local $p v128) (local $u v128) (local $n v128) (local $r v128) (local $q v128) (local $e v128) (local $big v128)
    (local.set $t (f32x4.min (f32x4.abs (local.get $x)) (f32x4.splat (f32.const 10))))
    (local.set $s (f32x4.mul (local.get $t) (local.get $t)))
    (local.set $p (f32x4.splat (f32.const -0x1.72ef72p-8)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $s)) (f32x4.splat (f32.const 0x1.515d06p-6))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $s)) (f32x4.splat (f32.const -0x1.b81546p-5))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $s)) (f32x4.splat (f32.const 0x1.110580p-3))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $s)) (f32x4.splat (f32.const -0x1.555524p-2))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $s)) (f32x4.splat (f32.const 1))))
    (local.set $u (f32x4.add (local.get $t) (local.get $t)))
    (local.set $n (f32x4.nearest (f32x4.mul (local.get $u) (f32x4.splat (f32.const 0x1.715476p+0)))))
    (local.set $r (f32x4.sub
      (f32x4.sub (local.get $u) (f32x4.mul (local.get $n) (f32x4.splat (f32.const 0x1.62e4p-1))))
      (f32x4.mul (local.get $n) (f32x4.splat (f32.const 0x1.7f7d1cp-20)))))
    (local.set $q (f32x4.splat (f32.const 0x1.6ab980p-10)))
    (local.set $q (f32x4.add (f32x4.mul (local.get $q) (local.get $r)) (f32x4.splat (f32.const 0x1.126d0cp-7))))
    (local.set $q (f32x4.add (f32x4.mul (local.get $q) (local.get $r)) (f32x4.splat (f32.const 0x1.55589ap-5))))
    (local.set $q (f32x4.add (f32x4.mul (local.get $q) (local.get $r)) (f32x4.splat (f32.const 0x1.55540ap-3))))
    (local.set $q (f32x4.add (f32x4.mul (local.get $q) (local.get $r)) (f32x4.splat (f32.const 0x1.fffffap-2))))
    (local.set $q (f32x4.add (f32x4.mul (local.get $q) (local.get $r)) (f32x4.splat (f32.const 1))))
    (local.set $q (f32x4.add (f32x4.mul (local.get $q) (local.get $r)) (f32x4.splat (f32.const 1))))
    (local.set $e (f32x4.mul (local.get $q)
      (i32x4.shl (i32x4.add (i32x4.trunc_sat_f32x4_s (local.get $n)) (i32x4.splat (i32.const 127))) (i32.const 23))))
    (local.set $big (f32x4.sub (f32x4.splat (f32.const 1))
      (f32x4.div (f32x4.splat (f32.const 2)) (f32x4.add (local.get $e) (f32x4.splat (f32.const 1))))))
    (v128.or
      (v128.bitselect (f32x4.mul (local.get $t) (local.get $p)) (local.get $big) (f32x4.lt (local.get $t) (f32x4.splat (f32.const 0.625))))
      (v128.and (local.get $x) (i32x4.splat (i32.const 0x80000000)))))
  (func (export "tanh") (param $x i32) (param $out i32) (param $n i32)
    (local $end i32) (local $end16 i32)
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $end16 (i32.add (local.get $x) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $done
      (loop $simd
        (br_if $done (i32.ge_u (local.get $x) (local.get $end16)))
        (v128.store align=4 (local.get $out) (call $tanh4 (v128.load align=4 (local.get $x))))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (local.set $out (i32.add (local.get $out) (i32.const 16)))
        (br $simd)))
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $x) (local.get $end)))
        (f32.store (local.get $out) (f32x4.extract_lane 0 (call $tanh4 (f32x4.splat (f32.load (local.get $x))))))
        (local.set $x (i32.add (local.get $x) (i32.const 4)))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (br $tail))))

  ;; tanh's gradient from its output y = tanh(x): dy·(1 − y·y)  (kernels/tanh.ts).
  (func (export "tanhGrad") (param $dy i32) (param $y i32) (param $out i32) (param $n i32)
    (local $end i32) (local $end16 i32) (local $v v128) (local $t f32)
    (local.set $end (i32.add (local.get $y) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $end16 (i32.add (local.get $y) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $done
      (loop $simd
        (br_if $done (i32.ge_u (local.get $y) (local.get $end16)))
        (local.set $v (v128.load align=4 (local.get $y)))
        (v128.store align=4 (local.get $out)
          (f32x4.mul (v128.load align=4 (local.get $dy)) (f32x4.sub (f32x4.splat (f32.const 1)) (f32x4.mul (local.get $v) (local.get $v)))))
        (local.set $y (i32.add (local.get $y) (i32.const 16)))
        (local.set $dy (i32.add (local.get $dy) (i32.const 16)))
        (local.set $out (i32.add (local.get $out) (i32.const 16)))
        (br $simd)))
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $y) (local.get $end)))
        (local.set $t (f32.load (local.get $y)))
        (f32.store (local.get $out) (f32.mul (f32.load (local.get $dy)) (f32.sub (f32.const 1) (f32.mul (local.get $t) (local.get $t)))))
        (local.set $y (i32.add (local.get $y) (i32.const 4)))
        (local.set $dy (i32.add (local.get $dy) (i32.const 4)))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (br $tail))))

    ;; im2col / col2im over NHWC (native/im2col.ts has the formula; pointers in bytes, sizes in
  ;; elements). $mode 0: cols ← patches of x, zeros where a patch leaves x (written here, so that
  ;; cols is written once: a zero-fill of all of cols first cost half or more of the im2col);
  ;; $mode 1: x += the patch rows of cols put back (the caller zero-fills x first).
  (func (export "patches") (param $mode i32) (param $x i32) (param $cols i32)
    (param $N i32) (param $H i32) (param $W i32) (param $C i32) (param $OH i32) (param $OW i32)
    (param $KH i32) (param $KW i32) (param $sh i32) (param $sw i32) (param $dh i32) (param $dw i32)
    (param $top i32) (param $left i32)
    (local $n i32) (local $oh i32) (local $ow i32) (local $kh i32) (local $kw i32)
    (local $image i32) (local $row i32) (local $line i32) (local $dst i32) (local $ih i32) (local $iw i32) (local $iw0 i32)
    (local $from i32) (local $to i32) (local $C4 i32) (local $K4 i32) (local $imageBytes i32) (local $a i32) (local $b i32) (local $len i32)
    (local.set $C4 (i32.shl (local.get $C) (i32.const 2)))
    (local.set $K4 (i32.mul (i32.mul (local.get $KH) (local.get $KW)) (local.get $C4)))
    (local.set $imageBytes (i32.mul (i32.mul (local.get $H) (local.get $W)) (local.get $C4)))
    (local.set $row (local.get $cols))
    (local.set $n (i32.const 0))
    (block $nDone (loop $nLoop
      (br_if $nDone (i32.ge_s (local.get $n) (local.get $N)))
      (local.set $image (i32.add (local.get $x) (i32.mul (local.get $n) (local.get $imageBytes))))
      (local.set $oh (i32.const 0))
      (block $ohDone (loop $ohLoop
        (br_if $ohDone (i32.ge_s (local.get $oh) (local.get $OH)))
        (local.set $ow (i32.const 0))
        (block $owDone (loop $owLoop
          (br_if $owDone (i32.ge_s (local.get $ow) (local.get $OW)))
          (local.set $iw0 (i32.sub (i32.mul (local.get $ow) (local.get $sw)) (local.get $left)))
          (local.set $kh (i32.const 0))
          (block $khDone (loop $khLoop
            (br_if $khDone (i32.ge_s (local.get $kh) (local.get $KH)))
            (local.set $ih (i32.sub (i32.add (i32.mul (local.get $oh) (local.get $sh)) (i32.mul (local.get $kh) (local.get $dh))) (local.get $top)))
            (local.set $dst (i32.add (local.get $row) (i32.mul (i32.mul (local.get $kh) (local.get $KW)) (local.get $C4))))
            (if (i32.and (i32.ge_s (local.get $ih) (i32.const 0)) (i32.lt_s (local.get $ih) (local.get $H)))
              (then
                (local.set $line (i32.add (local.get $image) (i32.mul (i32.mul (local.get $ih) (local.get $W)) (local.get $C4))))
                (if (i32.eq (local.get $dw) (i32.const 1))
                  (then
                    ;; one run: taps from..to−1 are consecutive pixels
                    (local.set $from (select (i32.sub (i32.const 0) (local.get $iw0)) (i32.const 0) (i32.lt_s (local.get $iw0) (i32.const 0))))
                    (local.set $to (select (local.get $KW) (i32.sub (local.get $W) (local.get $iw0)) (i32.lt_s (local.get $KW) (i32.sub (local.get $W) (local.get $iw0)))))
                    ;; im2col: zeros for the taps left and right of x
                    (if (i32.eqz (local.get $mode))
                      (then
                        (if (i32.gt_s (local.get $to) (local.get $from))
                          (then
                            (if (local.get $from)
                              (then (memory.fill (local.get $dst) (i32.const 0) (i32.mul (local.get $from) (local.get $C4)))))
                            (if (i32.lt_s (local.get $to) (local.get $KW))
                              (then (memory.fill (i32.add (local.get $dst) (i32.mul (local.get $to) (local.get $C4))) (i32.const 0) (i32.mul (i32.sub (local.get $KW) (local.get $to)) (local.get $C4))))))
                          (else (memory.fill (local.get $dst) (i32.const 0) (i32.mul (local.get $KW) (local.get $C4)))))))
                    (if (i32.gt_s (local.get $to) (local.get $from))
                      (then
                        (local.set $a (i32.add (local.get $line) (i32.mul (i32.add (local.get $iw0) (local.get $from)) (local.get $C4))))
                        (local.set $b (i32.add (local.get $dst) (i32.mul (local.get $from) (local.get $C4))))
                        (local.set $len (i32.mul (i32.sub (local.get $to) (local.get $from)) (local.get $C4)))
                        ;; a run of 4 floats (a 4-wide filter on one channel) in one vector: a call or
                        ;; memory.copy per run cost several times the move
                        (if (i32.eq (local.get $len) (i32.const 16))
                          (then
                            (if (local.get $mode)
                              (then (v128.store align=4 (local.get $a) (f32x4.add (v128.load align=4 (local.get $a)) (v128.load align=4 (local.get $b)))))
                              (else (v128.store align=4 (local.get $b) (v128.load align=4 (local.get $a))))))
                          (else
                            (if (local.get $mode)
                              (then (call $addInto (local.get $a) (local.get $b) (i32.shr_u (local.get $len) (i32.const 2))))
                              (else (memory.copy (local.get $b) (local.get $a) (local.get $len)))))))))
                  (else
                    (local.set $kw (i32.const 0))
                    (block $kwDone (loop $kwLoop
                      (br_if $kwDone (i32.ge_s (local.get $kw) (local.get $KW)))
                      (local.set $iw (i32.add (local.get $iw0) (i32.mul (local.get $kw) (local.get $dw))))
                      (if (i32.and (i32.ge_s (local.get $iw) (i32.const 0)) (i32.lt_s (local.get $iw) (local.get $W)))
                        (then
                          (if (local.get $mode)
                            (then (call $addInto
                              (i32.add (local.get $line) (i32.mul (local.get $iw) (local.get $C4)))
                              (i32.add (local.get $dst) (i32.mul (local.get $kw) (local.get $C4)))
                              (local.get $C)))
                            (else (memory.copy
                              (i32.add (local.get $dst) (i32.mul (local.get $kw) (local.get $C4)))
                              (i32.add (local.get $line) (i32.mul (local.get $iw) (local.get $C4)))
                              (local.get $C4)))))
                        (else
                          (if (i32.eqz (local.get $mode))
                            (then (memory.fill (i32.add (local.get $dst) (i32.mul (local.get $kw) (local.get $C4))) (i32.const 0) (local.get $C4))))))
                      (local.set $kw (i32.add (local.get $kw) (i32.const 1)))
                      (br $kwLoop))))))
              ;; im2col: a row of taps above or below x is all zeros
              (else
                (if (i32.eqz (local.get $mode))
                  (then (memory.fill (local.get $dst) (i32.const 0) (i32.mul (local.get $KW) (local.get $C4)))))))
            (local.set $kh (i32.add (local.get $kh) (i32.const 1)))
            (br $khLoop)))
          (local.set $row (i32.add (local.get $row) (local.get $K4)))
          (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
          (br $owLoop)))
        (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
        (br $ohLoop)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $nLoop))))

  ;; ---- batch norm (kernels/batchNorm.ts has the formulas; training mode: the batch's statistics) ----
  ;; Over x [rows, cols], channels last; bias, gain, shift: cols floats. Everything is written out
  ;; inline (V8 does not inline wasm calls): the loops run 4 channels × 4 rows at a time, with
  ;; the per-channel sums in float32 over the 4 rows and then in float64 (scratch in memory).
  ;; Rows past the end of a 4-row block read the block's first row and are masked out of the sums
  ;; (a store there writes the first row's own value again).

  ;; Forward, one pass for the statistics: with K = z[0] per channel (a shift against cancellation)
  ;; and d = z − K in float32,  S = Σ_r d,  Q = Σ_r d·d;  μ = K + S/R,  σ² = Q/R − (S/R)²  (float64,
  ;; then float32);  s = 1 / √(σ² + ε);  y = act(((z − μ)·s)·γ + β), float32 in the op-by-op order.
  ;; kind: 0 linear, 1 relu, 3 leaky relu (slope α). acc: 16·cols bytes of scratch; mean holds K
  ;; until μ replaces it; mean and invstd (s) are written for the gradient.
  (func (export "batchNorm")
    (param $x i32) (param $bias i32) (param $gain i32) (param $shift i32) (param $y i32) (param $mean i32) (param $invstd i32) (param $acc i32)
    (param $rows i32) (param $cols i32) (param $kind i32) (param $alpha f32) (param $eps f32)
    (local $r i32) (local $c4 i32) (local $rb i32) (local $end i32) (local $q i32) (local $a i32)
    (local $o1 i32) (local $o2 i32) (local $o3 i32) (local $p i32)
    (local $m1 v128) (local $m2 v128) (local $m3 v128) (local $b v128) (local $k v128) (local $d v128) (local $s v128) (local $t v128)
    (local $ds f32) (local $n f64) (local $f f64)
    (local.set $rb (i32.shl (local.get $cols) (i32.const 2)))
    (local.set $end (i32.and (local.get $rb) (i32.const -16)))
    (local.set $q (i32.add (local.get $acc) (i32.shl (local.get $cols) (i32.const 3))))
    (local.set $n (f64.convert_i32_u (local.get $rows)))
    (memory.fill (local.get $acc) (i32.const 0) (i32.shl (local.get $cols) (i32.const 4)))
    ;; K = z[0]
    (local.set $c4 (i32.const 0))
    (block $kDone (loop $kLoop
      (br_if $kDone (i32.ge_u (local.get $c4) (local.get $rb)))
      (f32.store (i32.add (local.get $mean) (local.get $c4))
        (f32.add (f32.load (i32.add (local.get $x) (local.get $c4))) (f32.load (i32.add (local.get $bias) (local.get $c4)))))
      (local.set $c4 (i32.add (local.get $c4) (i32.const 4)))
      (br $kLoop)))
    ;; S and Q, 4 rows at a time (p: the block's first row; o1..o3: the others' offsets from it)
    (local.set $p (local.get $x))
    (local.set $r (i32.const 0))
    (block $statsDone (loop $blocks
      (br_if $statsDone (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $o1 (select (local.get $rb) (i32.const 0) (i32.lt_u (i32.add (local.get $r) (i32.const 1)) (local.get $rows))))
      (local.set $o2 (select (i32.shl (local.get $rb) (i32.const 1)) (i32.const 0) (i32.lt_u (i32.add (local.get $r) (i32.const 2)) (local.get $rows))))
      (local.set $o3 (select (i32.mul (local.get $rb) (i32.const 3)) (i32.const 0) (i32.lt_u (i32.add (local.get $r) (i32.const 3)) (local.get $rows))))
      (local.set $m1 (select (v128.const i32x4 -1 -1 -1 -1) (v128.const i32x4 0 0 0 0) (local.get $o1)))
      (local.set $m2 (select (v128.const i32x4 -1 -1 -1 -1) (v128.const i32x4 0 0 0 0) (local.get $o2)))
      (local.set $m3 (select (v128.const i32x4 -1 -1 -1 -1) (v128.const i32x4 0 0 0 0) (local.get $o3)))
      (local.set $c4 (i32.const 0))
      (block $simdDone (loop $simd
        (br_if $simdDone (i32.ge_u (local.get $c4) (local.get $end)))
        (local.set $b (v128.load align=4 (i32.add (local.get $bias) (local.get $c4))))
        (local.set $k (v128.load align=4 (i32.add (local.get $mean) (local.get $c4))))
        (local.set $a (i32.add (local.get $p) (local.get $c4)))
        (local.set $s (f32x4.sub (f32x4.add (v128.load align=4 (local.get $a)) (local.get $b)) (local.get $k)))
        (local.set $t (f32x4.mul (local.get $s) (local.get $s)))
        (local.set $d (v128.and (local.get $m1) (f32x4.sub (f32x4.add (v128.load align=4 (i32.add (local.get $a) (local.get $o1))) (local.get $b)) (local.get $k))))
        (local.set $s (f32x4.add (local.get $s) (local.get $d)))
        (local.set $t (f32x4.add (local.get $t) (f32x4.mul (local.get $d) (local.get $d))))
        (local.set $d (v128.and (local.get $m2) (f32x4.sub (f32x4.add (v128.load align=4 (i32.add (local.get $a) (local.get $o2))) (local.get $b)) (local.get $k))))
        (local.set $s (f32x4.add (local.get $s) (local.get $d)))
        (local.set $t (f32x4.add (local.get $t) (f32x4.mul (local.get $d) (local.get $d))))
        (local.set $d (v128.and (local.get $m3) (f32x4.sub (f32x4.add (v128.load align=4 (i32.add (local.get $a) (local.get $o3))) (local.get $b)) (local.get $k))))
        (local.set $s (f32x4.add (local.get $s) (local.get $d)))
        (local.set $t (f32x4.add (local.get $t) (f32x4.mul (local.get $d) (local.get $d))))
        ;; S[c..c+3] += s, Q[c..c+3] += t in float64 (8 bytes per channel)
        (local.set $a (i32.add (local.get $acc) (i32.shl (local.get $c4) (i32.const 1))))
        (v128.store align=8 (local.get $a) (f64x2.add (v128.load align=8 (local.get $a)) (f64x2.promote_low_f32x4 (local.get $s))))
        (v128.store offset=16 align=8 (local.get $a)
          (f64x2.add (v128.load offset=16 align=8 (local.get $a)) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $s) (local.get $s)))))
        (local.set $a (i32.add (local.get $q) (i32.shl (local.get $c4) (i32.const 1))))
        (v128.store align=8 (local.get $a) (f64x2.add (v128.load align=8 (local.get $a)) (f64x2.promote_low_f32x4 (local.get $t))))
        (v128.store offset=16 align=8 (local.get $a)
          (f64x2.add (v128.load offset=16 align=8 (local.get $a)) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $t) (local.get $t)))))
        (local.set $c4 (i32.add (local.get $c4) (i32.const 16)))
        (br $simd)))
      (local.set $p (i32.add (local.get $p) (i32.shl (local.get $rb) (i32.const 2))))
      (local.set $r (i32.add (local.get $r) (i32.const 4)))
      (br $blocks)))
    ;; the last cols % 4 channels, row by row
    (if (i32.lt_u (local.get $end) (local.get $rb)) (then
      (local.set $p (local.get $x))
      (local.set $r (i32.const 0))
      (block $tailRowsDone (loop $tailRows
        (br_if $tailRowsDone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $c4 (local.get $end))
        (block $tailDone (loop $tail
          (br_if $tailDone (i32.ge_u (local.get $c4) (local.get $rb)))
          (local.set $ds (f32.sub
            (f32.add (f32.load (i32.add (local.get $p) (local.get $c4))) (f32.load (i32.add (local.get $bias) (local.get $c4))))
            (f32.load (i32.add (local.get $mean) (local.get $c4)))))
          (local.set $a (i32.add (local.get $acc) (i32.shl (local.get $c4) (i32.const 1))))
          (f64.store (local.get $a) (f64.add (f64.load (local.get $a)) (f64.promote_f32 (local.get $ds))))
          (local.set $a (i32.add (local.get $q) (i32.shl (local.get $c4) (i32.const 1))))
          (f64.store (local.get $a) (f64.add (f64.load (local.get $a)) (f64.promote_f32 (f32.mul (local.get $ds) (local.get $ds)))))
          (local.set $c4 (i32.add (local.get $c4) (i32.const 4)))
          (br $tail)))
        (local.set $p (i32.add (local.get $p) (local.get $rb)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $tailRows)))))
    ;; μ and s per channel
    (local.set $c4 (i32.const 0))
    (block $chDone (loop $ch
      (br_if $chDone (i32.ge_u (local.get $c4) (local.get $rb)))
      (local.set $f (f64.div (f64.load (i32.add (local.get $acc) (i32.shl (local.get $c4) (i32.const 1)))) (local.get $n)))
      (f32.store (i32.add (local.get $invstd) (local.get $c4))
        (f32.div (f32.const 1) (f32.sqrt (f32.add (local.get $eps) (f32.demote_f64
          (f64.max (f64.const 0)
            (f64.sub (f64.div (f64.load (i32.add (local.get $q) (i32.shl (local.get $c4) (i32.const 1)))) (local.get $n)) (f64.mul (local.get $f) (local.get $f)))))))))
      (f32.store (i32.add (local.get $mean) (local.get $c4))
        (f32.demote_f64 (f64.add (f64.promote_f32 (f32.load (i32.add (local.get $mean) (local.get $c4)))) (local.get $f))))
      (local.set $c4 (i32.add (local.get $c4) (i32.const 4)))
      (br $ch)))
    ;; y = act(((z − μ)·s)·γ + β), row by row
    (local.set $p (local.get $x))
    (local.set $q (local.get $y))
    (local.set $r (i32.const 0))
    (block $rowsDone (loop $row
      (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $c4 (i32.const 0))
      (block $simdDone (loop $simd
        (br_if $simdDone (i32.ge_u (local.get $c4) (local.get $end)))
        (local.set $d
          (f32x4.add
            (f32x4.mul
              (f32x4.mul
                (f32x4.sub
                  (f32x4.add (v128.load align=4 (i32.add (local.get $p) (local.get $c4))) (v128.load align=4 (i32.add (local.get $bias) (local.get $c4))))
                  (v128.load align=4 (i32.add (local.get $mean) (local.get $c4))))
                (v128.load align=4 (i32.add (local.get $invstd) (local.get $c4))))
              (v128.load align=4 (i32.add (local.get $gain) (local.get $c4))))
            (v128.load align=4 (i32.add (local.get $shift) (local.get $c4)))))
        (if (i32.eq (local.get $kind) (i32.const 1))
          (then (local.set $d (f32x4.max (local.get $d) (v128.const i32x4 0 0 0 0))))
          (else (if (i32.eq (local.get $kind) (i32.const 3))
            (then (local.set $d (v128.bitselect (f32x4.mul (local.get $d) (f32x4.splat (local.get $alpha))) (local.get $d)
              (f32x4.lt (local.get $d) (v128.const i32x4 0 0 0 0))))))))
        (v128.store align=4 (i32.add (local.get $q) (local.get $c4)) (local.get $d))
        (local.set $c4 (i32.add (local.get $c4) (i32.const 16)))
        (br $simd)))
      (block $tailDone (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $c4) (local.get $rb)))
        (local.set $ds
          (f32.add
            (f32.mul
              (f32.mul
                (f32.sub
                  (f32.add (f32.load (i32.add (local.get $p) (local.get $c4))) (f32.load (i32.add (local.get $bias) (local.get $c4))))
                  (f32.load (i32.add (local.get $mean) (local.get $c4))))
                (f32.load (i32.add (local.get $invstd) (local.get $c4))))
              (f32.load (i32.add (local.get $gain) (local.get $c4))))
            (f32.load (i32.add (local.get $shift) (local.get $c4)))))
        (if (i32.eq (local.get $kind) (i32.const 1))
          (then (local.set $ds (f32.max (local.get $ds) (f32.const 0))))
          (else (if (i32.eq (local.get $kind) (i32.const 3))
            (then (local.set $ds (select (f32.mul (local.get $ds) (local.get $alpha)) (local.get $ds) (f32.lt (local.get $ds) (f32.const 0))))))))
        (f32.store (i32.add (local.get $q) (local.get $c4)) (local.get $ds))
        (local.set $c4 (i32.add (local.get $c4) (i32.const 4)))
        (br $tail)))
      (local.set $p (i32.add (local.get $p) (local.get $rb)))
      (local.set $q (i32.add (local.get $q) (local.get $rb)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $row))))

  ;; Batch norm's gradient (kernels/batchNorm.ts), from the forward's z = x + bias, y, μ and s:
  ;;   u = y > 0 ? dy : α·dy  (the activation's gradient; α = 0 relu, 1 linear);  x̂ = (z − μ)·s;
  ;;   dβ = Σ_r u;  dγ = Σ_r u·x̂;  dx = (γ·s)·((u − dβ/R) − x̂·(dγ/R));  dbias = Σ_r dx
  ;; (sums as in the forward: float32 over 4 rows, then float64). Two passes: the sums, then dx.
  ;; params (out): dγ, dβ, dbias, cols floats each. acc: 36·cols bytes of scratch.
  (func (export "batchNormGrad")
    (param $dy i32) (param $x i32) (param $bias i32) (param $y i32) (param $gain i32) (param $mean i32) (param $invstd i32)
    (param $dx i32) (param $params i32) (param $acc i32) (param $rows i32) (param $cols i32) (param $alpha f32)
    (local $r i32) (local $c4 i32) (local $rb i32) (local $end i32) (local $pass i32) (local $o i32) (local $a i32) (local $ob i32)
    (local $o1 i32) (local $o2 i32) (local $o3 i32)
    (local $s1 i32) (local $s2 i32) (local $s3 i32) (local $kk i32) (local $km1 i32) (local $km2 i32)
    (local $m1 v128) (local $m2 v128) (local $m3 v128) (local $al v128)
    (local $b v128) (local $mu v128) (local $is v128) (local $k v128) (local $n1 v128) (local $n2 v128)
    (local $u v128) (local $h v128) (local $d v128) (local $su v128) (local $sh v128)
    (local $us f32) (local $hs f32) (local $ds f32) (local $n f64)
    (local.set $rb (i32.shl (local.get $cols) (i32.const 2)))
    (local.set $end (i32.and (local.get $rb) (i32.const -16)))
    (local.set $n (f64.convert_i32_u (local.get $rows)))
    (local.set $al (f32x4.splat (local.get $alpha)))
    (local.set $s1 (local.get $acc))
    (local.set $s2 (i32.add (local.get $s1) (i32.shl (local.get $cols) (i32.const 3))))
    (local.set $s3 (i32.add (local.get $s2) (i32.shl (local.get $cols) (i32.const 3))))
    (local.set $kk (i32.add (local.get $s3) (i32.shl (local.get $cols) (i32.const 3))))
    (local.set $km1 (i32.add (local.get $kk) (local.get $rb)))
    (local.set $km2 (i32.add (local.get $km1) (local.get $rb)))
    (memory.fill (local.get $acc) (i32.const 0) (i32.mul (local.get $cols) (i32.const 24)))
    ;; pass 0: s1 = Σ u, s2 = Σ u·x̂;  pass 1: dx, s3 = Σ dx
    (block $passesDone (loop $passes
      (br_if $passesDone (i32.ge_u (local.get $pass) (i32.const 2)))
      ;; 4 rows at a time (ob: the block's first row, in bytes; o1..o3: the others' offsets from it)
      (local.set $ob (i32.const 0))
      (local.set $r (i32.const 0))
      (block $blocksDone (loop $blocks
        (br_if $blocksDone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $o1 (select (local.get $rb) (i32.const 0) (i32.lt_u (i32.add (local.get $r) (i32.const 1)) (local.get $rows))))
        (local.set $o2 (select (i32.shl (local.get $rb) (i32.const 1)) (i32.const 0) (i32.lt_u (i32.add (local.get $r) (i32.const 2)) (local.get $rows))))
        (local.set $o3 (select (i32.mul (local.get $rb) (i32.const 3)) (i32.const 0) (i32.lt_u (i32.add (local.get $r) (i32.const 3)) (local.get $rows))))
        (local.set $m1 (select (v128.const i32x4 -1 -1 -1 -1) (v128.const i32x4 0 0 0 0) (local.get $o1)))
        (local.set $m2 (select (v128.const i32x4 -1 -1 -1 -1) (v128.const i32x4 0 0 0 0) (local.get $o2)))
        (local.set $m3 (select (v128.const i32x4 -1 -1 -1 -1) (v128.const i32x4 0 0 0 0) (local.get $o3)))
        (local.set $c4 (i32.const 0))
        (block $simdDone (loop $simd
          (br_if $simdDone (i32.ge_u (local.get $c4) (local.get $end)))
          (local.set $a (i32.add (local.get $ob) (local.get $c4)))
          (local.set $b (v128.load align=4 (i32.add (local.get $bias) (local.get $c4))))
          (local.set $mu (v128.load align=4 (i32.add (local.get $mean) (local.get $c4))))
          (local.set $is (v128.load align=4 (i32.add (local.get $invstd) (local.get $c4))))
          (if (local.get $pass)
            (then
          (local.set $k (v128.load align=4 (i32.add (local.get $kk) (local.get $c4))))
          (local.set $n1 (v128.load align=4 (i32.add (local.get $km1) (local.get $c4))))
          (local.set $n2 (v128.load align=4 (i32.add (local.get $km2) (local.get $c4))))
          ;; row 0
          (local.set $o (local.get $a))
          (local.set $u (v128.load align=4 (i32.add (local.get $dy) (local.get $o))))
          (local.set $u (v128.bitselect (local.get $u) (f32x4.mul (local.get $u) (local.get $al)) (f32x4.gt (v128.load align=4 (i32.add (local.get $y) (local.get $o))) (v128.const i32x4 0 0 0 0))))
          (local.set $h (f32x4.mul (f32x4.sub (f32x4.add (v128.load align=4 (i32.add (local.get $x) (local.get $o))) (local.get $b)) (local.get $mu)) (local.get $is)))
          (local.set $d (f32x4.mul (local.get $k) (f32x4.sub (f32x4.sub (local.get $u) (local.get $n1)) (f32x4.mul (local.get $h) (local.get $n2)))))
          (v128.store align=4 (i32.add (local.get $dx) (local.get $o)) (local.get $d))
          (local.set $su (local.get $d))
          ;; row 1
          (local.set $o (i32.add (local.get $a) (local.get $o1)))
          (local.set $u (v128.load align=4 (i32.add (local.get $dy) (local.get $o))))
          (local.set $u (v128.bitselect (local.get $u) (f32x4.mul (local.get $u) (local.get $al)) (f32x4.gt (v128.load align=4 (i32.add (local.get $y) (local.get $o))) (v128.const i32x4 0 0 0 0))))
          (local.set $h (f32x4.mul (f32x4.sub (f32x4.add (v128.load align=4 (i32.add (local.get $x) (local.get $o))) (local.get $b)) (local.get $mu)) (local.get $is)))
          (local.set $d (f32x4.mul (local.get $k) (f32x4.sub (f32x4.sub (local.get $u) (local.get $n1)) (f32x4.mul (local.get $h) (local.get $n2)))))
          (v128.store align=4 (i32.add (local.get $dx) (local.get $o)) (local.get $d))
          (local.set $su (f32x4.add (local.get $su) (v128.and (local.get $m1) (local.get $d))))
          ;; row 2
          (local.set $o (i32.add (local.get $a) (local.get $o2)))
          (local.set $u (v128.load align=4 (i32.add (local.get $dy) (local.get $o))))
          (local.set $u (v128.bitselect (local.get $u) (f32x4.mul (local.get $u) (local.get $al)) (f32x4.gt (v128.load align=4 (i32.add (local.get $y) (local.get $o))) (v128.const i32x4 0 0 0 0))))
          (local.set $h (f32x4.mul (f32x4.sub (f32x4.add (v128.load align=4 (i32.add (local.get $x) (local.get $o))) (local.get $b)) (local.get $mu)) (local.get $is)))
          (local.set $d (f32x4.mul (local.get $k) (f32x4.sub (f32x4.sub (local.get $u) (local.get $n1)) (f32x4.mul (local.get $h) (local.get $n2)))))
          (v128.store align=4 (i32.add (local.get $dx) (local.get $o)) (local.get $d))
          (local.set $su (f32x4.add (local.get $su) (v128.and (local.get $m2) (local.get $d))))
          ;; row 3
          (local.set $o (i32.add (local.get $a) (local.get $o3)))
          (local.set $u (v128.load align=4 (i32.add (local.get $dy) (local.get $o))))
          (local.set $u (v128.bitselect (local.get $u) (f32x4.mul (local.get $u) (local.get $al)) (f32x4.gt (v128.load align=4 (i32.add (local.get $y) (local.get $o))) (v128.const i32x4 0 0 0 0))))
          (local.set $h (f32x4.mul (f32x4.sub (f32x4.add (v128.load align=4 (i32.add (local.get $x) (local.get $o))) (local.get $b)) (local.get $mu)) (local.get $is)))
          (local.set $d (f32x4.mul (local.get $k) (f32x4.sub (f32x4.sub (local.get $u) (local.get $n1)) (f32x4.mul (local.get $h) (local.get $n2)))))
          (v128.store align=4 (i32.add (local.get $dx) (local.get $o)) (local.get $d))
          (local.set $su (f32x4.add (local.get $su) (v128.and (local.get $m3) (local.get $d))))
          ;; s3 += su (float64)
          (local.set $a (i32.add (local.get $s3) (i32.shl (local.get $c4) (i32.const 1))))
          (v128.store align=8 (local.get $a) (f64x2.add (v128.load align=8 (local.get $a)) (f64x2.promote_low_f32x4 (local.get $su))))
          (v128.store offset=16 align=8 (local.get $a)
            (f64x2.add (v128.load offset=16 align=8 (local.get $a)) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $su) (local.get $su))))))
            (else
          ;; row 0
          (local.set $o (local.get $a))
          (local.set $u (v128.load align=4 (i32.add (local.get $dy) (local.get $o))))
          (local.set $u (v128.bitselect (local.get $u) (f32x4.mul (local.get $u) (local.get $al)) (f32x4.gt (v128.load align=4 (i32.add (local.get $y) (local.get $o))) (v128.const i32x4 0 0 0 0))))
          (local.set $h (f32x4.mul (f32x4.sub (f32x4.add (v128.load align=4 (i32.add (local.get $x) (local.get $o))) (local.get $b)) (local.get $mu)) (local.get $is)))
          (local.set $su (local.get $u))
          (local.set $sh (f32x4.mul (local.get $u) (local.get $h)))
          ;; row 1
          (local.set $o (i32.add (local.get $a) (local.get $o1)))
          (local.set $u (v128.load align=4 (i32.add (local.get $dy) (local.get $o))))
          (local.set $u (v128.bitselect (local.get $u) (f32x4.mul (local.get $u) (local.get $al)) (f32x4.gt (v128.load align=4 (i32.add (local.get $y) (local.get $o))) (v128.const i32x4 0 0 0 0))))
          (local.set $h (f32x4.mul (f32x4.sub (f32x4.add (v128.load align=4 (i32.add (local.get $x) (local.get $o))) (local.get $b)) (local.get $mu)) (local.get $is)))
          (local.set $u (v128.and (local.get $m1) (local.get $u)))
          (local.set $su (f32x4.add (local.get $su) (local.get $u)))
          (local.set $sh (f32x4.add (local.get $sh) (f32x4.mul (local.get $u) (local.get $h))))
          ;; row 2
          (local.set $o (i32.add (local.get $a) (local.get $o2)))
          (local.set $u (v128.load align=4 (i32.add (local.get $dy) (local.get $o))))
          (local.set $u (v128.bitselect (local.get $u) (f32x4.mul (local.get $u) (local.get $al)) (f32x4.gt (v128.load align=4 (i32.add (local.get $y) (local.get $o))) (v128.const i32x4 0 0 0 0))))
          (local.set $h (f32x4.mul (f32x4.sub (f32x4.add (v128.load align=4 (i32.add (local.get $x) (local.get $o))) (local.get $b)) (local.get $mu)) (local.get $is)))
          (local.set $u (v128.and (local.get $m2) (local.get $u)))
          (local.set $su (f32x4.add (local.get $su) (local.get $u)))
          (local.set $sh (f32x4.add (local.get $sh) (f32x4.mul (local.get $u) (local.get $h))))
          ;; row 3
          (local.set $o (i32.add (local.get $a) (local.get $o3)))
          (local.set $u (v128.load align=4 (i32.add (local.get $dy) (local.get $o))))
          (local.set $u (v128.bitselect (local.get $u) (f32x4.mul (local.get $u) (local.get $al)) (f32x4.gt (v128.load align=4 (i32.add (local.get $y) (local.get $o))) (v128.const i32x4 0 0 0 0))))
          (local.set $h (f32x4.mul (f32x4.sub (f32x4.add (v128.load align=4 (i32.add (local.get $x) (local.get $o))) (local.get $b)) (local.get $mu)) (local.get $is)))
          (local.set $u (v128.and (local.get $m3) (local.get $u)))
          (local.set $su (f32x4.add (local.get $su) (local.get $u)))
          (local.set $sh (f32x4.add (local.get $sh) (f32x4.mul (local.get $u) (local.get $h))))
          ;; s1 += su, s2 += sh (float64)
          (local.set $a (i32.add (local.get $s1) (i32.shl (local.get $c4) (i32.const 1))))
          (v128.store align=8 (local.get $a) (f64x2.add (v128.load align=8 (local.get $a)) (f64x2.promote_low_f32x4 (local.get $su))))
          (v128.store offset=16 align=8 (local.get $a)
            (f64x2.add (v128.load offset=16 align=8 (local.get $a)) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $su) (local.get $su)))))
          (local.set $a (i32.add (local.get $s2) (i32.shl (local.get $c4) (i32.const 1))))
          (v128.store align=8 (local.get $a) (f64x2.add (v128.load align=8 (local.get $a)) (f64x2.promote_low_f32x4 (local.get $sh))))
          (v128.store offset=16 align=8 (local.get $a)
            (f64x2.add (v128.load offset=16 align=8 (local.get $a)) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $sh) (local.get $sh)))))))
          (local.set $c4 (i32.add (local.get $c4) (i32.const 16)))
          (br $simd)))
        (local.set $ob (i32.add (local.get $ob) (i32.shl (local.get $rb) (i32.const 2))))
        (local.set $r (i32.add (local.get $r) (i32.const 4)))
        (br $blocks)))
      ;; the last cols % 4 channels, row by row
      (if (i32.lt_u (local.get $end) (local.get $rb)) (then
        (local.set $ob (i32.const 0))
        (local.set $r (i32.const 0))
        (block $tailRowsDone (loop $tailRows
          (br_if $tailRowsDone (i32.ge_u (local.get $r) (local.get $rows)))
          (local.set $c4 (local.get $end))
          (block $tailDone (loop $tail
            (br_if $tailDone (i32.ge_u (local.get $c4) (local.get $rb)))
            (local.set $o (i32.add (local.get $ob) (local.get $c4)))
            (local.set $us (f32.load (i32.add (local.get $dy) (local.get $o))))
            (local.set $us (select (local.get $us) (f32.mul (local.get $us) (local.get $alpha)) (f32.gt (f32.load (i32.add (local.get $y) (local.get $o))) (f32.const 0))))
            (local.set $hs (f32.mul
              (f32.sub (f32.add (f32.load (i32.add (local.get $x) (local.get $o))) (f32.load (i32.add (local.get $bias) (local.get $c4)))) (f32.load (i32.add (local.get $mean) (local.get $c4))))
              (f32.load (i32.add (local.get $invstd) (local.get $c4)))))
            (if (local.get $pass)
              (then
                (local.set $ds (f32.mul (f32.load (i32.add (local.get $kk) (local.get $c4)))
                  (f32.sub (f32.sub (local.get $us) (f32.load (i32.add (local.get $km1) (local.get $c4)))) (f32.mul (local.get $hs) (f32.load (i32.add (local.get $km2) (local.get $c4)))))))
                (f32.store (i32.add (local.get $dx) (local.get $o)) (local.get $ds))
                (local.set $a (i32.add (local.get $s3) (i32.shl (local.get $c4) (i32.const 1))))
                (f64.store (local.get $a) (f64.add (f64.load (local.get $a)) (f64.promote_f32 (local.get $ds)))))
              (else
                (local.set $a (i32.add (local.get $s1) (i32.shl (local.get $c4) (i32.const 1))))
                (f64.store (local.get $a) (f64.add (f64.load (local.get $a)) (f64.promote_f32 (local.get $us))))
                (local.set $a (i32.add (local.get $s2) (i32.shl (local.get $c4) (i32.const 1))))
                (f64.store (local.get $a) (f64.add (f64.load (local.get $a)) (f64.promote_f32 (f32.mul (local.get $us) (local.get $hs)))))))
            (local.set $c4 (i32.add (local.get $c4) (i32.const 4)))
            (br $tail)))
          (local.set $ob (i32.add (local.get $ob) (local.get $rb)))
          (local.set $r (i32.add (local.get $r) (i32.const 1)))
          (br $tailRows)))))
      ;; per channel: after pass 0 dγ, dβ, k = γ·s, m1 = dβ/R, m2 = dγ/R; after pass 1 dbias
      (local.set $c4 (i32.const 0))
      (block $chDone (loop $ch
        (br_if $chDone (i32.ge_u (local.get $c4) (local.get $rb)))
        (local.set $a (i32.shl (local.get $c4) (i32.const 1)))
        (if (local.get $pass)
          (then
            (f32.store (i32.add (i32.add (local.get $params) (i32.shl (local.get $rb) (i32.const 1))) (local.get $c4))
              (f32.demote_f64 (f64.load (i32.add (local.get $s3) (local.get $a))))))
          (else
            (f32.store (i32.add (local.get $params) (local.get $c4)) (f32.demote_f64 (f64.load (i32.add (local.get $s2) (local.get $a)))))
            (f32.store (i32.add (i32.add (local.get $params) (local.get $rb)) (local.get $c4)) (f32.demote_f64 (f64.load (i32.add (local.get $s1) (local.get $a)))))
            (f32.store (i32.add (local.get $kk) (local.get $c4))
              (f32.mul (f32.load (i32.add (local.get $gain) (local.get $c4))) (f32.load (i32.add (local.get $invstd) (local.get $c4)))))
            (f32.store (i32.add (local.get $km1) (local.get $c4)) (f32.demote_f64 (f64.div (f64.load (i32.add (local.get $s1) (local.get $a))) (local.get $n))))
            (f32.store (i32.add (local.get $km2) (local.get $c4)) (f32.demote_f64 (f64.div (f64.load (i32.add (local.get $s2) (local.get $a))) (local.get $n))))))
        (local.set $c4 (i32.add (local.get $c4) (i32.const 4)))
        (br $ch)))
      (local.set $pass (i32.add (local.get $pass) (i32.const 1)))
      (br $passes))))

  ;; out[i] = a·x[i] + b·y[i]  (the weights' moving average; each product and the sum rounded to
  ;; float32, as the ops a·x, b·y and their sum)
  (func (export "axpby") (param $x i32) (param $y i32) (param $out i32) (param $n i32) (param $a f32) (param $b f32)
    (local $end i32) (local $end16 i32)
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $end16 (i32.add (local.get $x) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $done
      (loop $simd
        (br_if $done (i32.ge_u (local.get $x) (local.get $end16)))
        (v128.store align=4 (local.get $out)
          (f32x4.add
            (f32x4.mul (f32x4.splat (local.get $a)) (v128.load align=4 (local.get $x)))
            (f32x4.mul (f32x4.splat (local.get $b)) (v128.load align=4 (local.get $y)))))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (local.set $y (i32.add (local.get $y) (i32.const 16)))
        (local.set $out (i32.add (local.get $out) (i32.const 16)))
        (br $simd)))
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $x) (local.get $end)))
        (f32.store (local.get $out)
          (f32.add (f32.mul (local.get $a) (f32.load (local.get $x))) (f32.mul (local.get $b) (f32.load (local.get $y)))))
        (local.set $x (i32.add (local.get $x) (i32.const 4)))
        (local.set $y (i32.add (local.get $y) (i32.const 4)))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (br $tail))))

  ;; rows × bytes from src (contiguous) to dst, rows `stride` bytes apart (one input of a concat).
  (func (export "copyRows") (param $dst i32) (param $stride i32) (param $src i32) (param $bytes i32) (param $rows i32)
    (local $r i32)
    (if (i32.eq (local.get $bytes) (i32.const 4))
      (then
        (block $done1 (loop $one
          (br_if $done1 (i32.ge_u (local.get $r) (local.get $rows)))
          (i32.store (local.get $dst) (i32.load (local.get $src)))
          (local.set $dst (i32.add (local.get $dst) (local.get $stride)))
          (local.set $src (i32.add (local.get $src) (i32.const 4)))
          (local.set $r (i32.add (local.get $r) (i32.const 1)))
          (br $one)))
        (return)))
    (block $done (loop $rowLoop
      (br_if $done (i32.ge_u (local.get $r) (local.get $rows)))
      (memory.copy (local.get $dst) (local.get $src) (local.get $bytes))
      (local.set $dst (i32.add (local.get $dst) (local.get $stride)))
      (local.set $src (i32.add (local.get $src) (local.get $bytes)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rowLoop))))
)
