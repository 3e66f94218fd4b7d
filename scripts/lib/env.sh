# Sourced by the scripts: finds a JDK 25 or newer and sets JAVA_HOME, or stops with a clear message.
# Order: JAVA_HOME if it is 25+, then the newest JDK 25+ under /usr/lib/jvm (and macOS's JavaVirtualMachines).

cotangent_java_major() {
  local v
  v=$("$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p' | head -n1)
  echo "${v%%.*}"
}

cotangent_find_jdk() {
  local candidate major best="" best_major=0
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ]; then
    major=$(cotangent_java_major "$JAVA_HOME")
    if [ "${major:-0}" -ge 25 ] 2>/dev/null; then
      echo "$JAVA_HOME"
      return 0
    fi
  fi
  for candidate in /usr/lib/jvm/* /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -x "$candidate/bin/javac" ] || continue
    major=$(cotangent_java_major "$candidate")
    if [ "${major:-0}" -ge 25 ] 2>/dev/null && [ "$major" -gt "$best_major" ]; then
      best="$candidate"
      best_major="$major"
    fi
  done
  if [ -n "$best" ]; then
    echo "$best"
    return 0
  fi
  return 1
}

if ! COTANGENT_JDK=$(cotangent_find_jdk); then
  echo "error: Cotangent needs a JDK 25 or newer (javac included)." >&2
  echo "  JAVA_HOME=${JAVA_HOME:-<unset>} is not one, and none was found under /usr/lib/jvm." >&2
  echo "  Install one (Debian/Ubuntu: a Temurin 25 or openjdk-25-jdk package) or point JAVA_HOME at it." >&2
  exit 1
fi
export JAVA_HOME="$COTANGENT_JDK"
export PATH="$JAVA_HOME/bin:$PATH"
COTANGENT_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export COTANGENT_ROOT
# The JVM flags every Cotangent program runs with (kept in step with cotangent.jvm.flags in pom.xml).
COTANGENT_JVM_FLAGS=(--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xss8m)
MVNW=("$COTANGENT_ROOT/mvnw" -B -ntp)
