#!/usr/bin/env bash
# `scripts/bench train-fashion`: samples/s of one training epoch on Fashion-MNIST, Cotangent (scripts/train's
# program) beside PyTorch (scripts/bench-peers/train_fashion.py) on the same data, batch size, thread count,
# optimizer and seed, for the MLP and the CNN. Runs alternate C T for round 1, T C for round 2 and so on, so a
# drift in machine load falls on both sides; the speedup is the median over rounds of the per-round ratio
# (Cotangent samples/s / PyTorch samples/s; above 1 means Cotangent is faster).
#
#   BENCH_TRAIN_ROUNDS (default 1), BENCH_TRAIN_THREADS (default: all cores), BENCH_TRAIN_BATCH (default 64),
#   BENCH_TRAIN_LR (Adam's learning rate, default 0.002),
#   BENCH_TRAIN_MODELS (default "mlp cnn"), BENCH_PYTHON (default /usr/bin/python3)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
source scripts/lib/env.sh
rounds=${BENCH_TRAIN_ROUNDS:-1}
threads=${BENCH_TRAIN_THREADS:-$(nproc)}
batch=${BENCH_TRAIN_BATCH:-64}
lr=${BENCH_TRAIN_LR:-0.002}
models=${BENCH_TRAIN_MODELS:-mlp cnn}
python=${BENCH_PYTHON:-/usr/bin/python3}
data=/usr/share/datasets/fashion-mnist
if [[ ! -e "$data/train-images-idx3-ubyte.gz" ]] || ! "$python" -c 'import torch, numpy' 2>/dev/null; then
  echo "train-fashion: installing dataset-fashion-mnist, python3-torch and python3-numpy" >&2
  if [[ $(id -u) -eq 0 ]]; then sudo=(); else sudo=(sudo); fi
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq dataset-fashion-mnist python3-torch python3-numpy >/dev/null
fi
"${MVNW[@]}" -q -DskipTests -pl examples -am package
classpath="examples/target/classes:$(cat examples/target/runtime-classpath.txt)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cotangent() { # model -> "samples_per_s test_accuracy"
  java "${COTANGENT_JVM_FLAGS[@]}" -Djava.awt.headless=true -cp "$classpath" dev.cotangent.examples.train.Train \
    --model "$1" --epochs 1 --batch "$batch" --lr "$lr" --optimizer adam --threads "$threads" --seed 1 --data "$data" --plot "$work/$1.png" \
    > "$work/cotangent.log" 2>&1 || { cat "$work/cotangent.log" >&2; exit 1; }
  sed -n 's/^RESULT train .*test_accuracy=\([0-9.]*\) samples_per_s=\([0-9.]*\).*/\2 \1/p' "$work/cotangent.log"
}
torch() { # model -> "samples_per_s test_accuracy"
  "$python" scripts/bench-peers/train_fashion.py --model "$1" --batch "$batch" --lr "$lr" --threads "$threads" --seed 1 \
    --data "$data" > "$work/torch.log" 2>&1 || { cat "$work/torch.log" >&2; exit 1; }
  sed -n 's/^TORCH .*samples_per_s=\([0-9.]*\) test_accuracy=\([0-9.]*\).*/\1 \2/p' "$work/torch.log"
}
median() { sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }

echo "== train-fashion: one epoch of Fashion-MNIST, batch $batch, $threads threads, Adam lr $lr, $rounds round(s)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
result="RESULT train-fashion"
for model in $models; do
  ratios=()
  c_all=()
  t_all=()
  for ((r = 1; r <= rounds; r++)); do
    if (( r % 2 == 1 )); then c=$(cotangent "$model"); t=$(torch "$model"); else t=$(torch "$model"); c=$(cotangent "$model"); fi
    read -r c_rate c_acc <<< "$c"
    read -r t_rate t_acc <<< "$t"
    ratio=$(awk -v a="$c_rate" -v b="$t_rate" 'BEGIN {printf "%.3f", a / b}')
    printf '%s round %d: Cotangent %s samples/s (test accuracy %s), PyTorch %s samples/s (test accuracy %s), ratio %s\n' \
      "$model" "$r" "$c_rate" "$c_acc" "$t_rate" "$t_acc" "$ratio"
    ratios+=("$ratio")
    c_all+=("$c_rate")
    t_all+=("$t_rate")
  done
  c_med=$(printf '%s\n' "${c_all[@]}" | median)
  t_med=$(printf '%s\n' "${t_all[@]}" | median)
  r_med=$(printf '%s\n' "${ratios[@]}" | median)
  result+=" ${model}_samples_per_s=$c_med ${model}_torch_samples_per_s=$t_med ${model}_speedup=$r_med"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "$result threads=$threads batch=$batch rounds=$rounds"
