package cascade.hw.rtl;

import cascade.hw.TopKEngine;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * SpAtten's quick-select top-k engine in RTL: up to {@code capacity} int16 scores, {@code
 * comparators} candidates compared with the pivot a cycle. A round is a pivot cycle (candidate
 * (lfsr · left) / 2^16, {@link TopKEngine.Pivot#LFSR}), ceil(left / P) scan cycles writing the
 * greater and the lesser candidates into two compacted lists, a decision cycle and {@code
 * roundOverhead} − 2 idle cycles: ceil(left / P) + roundOverhead, as {@link TopKEngine.QuickSelect}
 * counts. The Java model here is that engine itself: at start it selects, and the RTL must hold
 * {@code busy} for exactly the engine's cycles and then give its selection ({@code mask}, one bit
 * per score, ties to the lower index).
 */
public final class QuickSelectBlock implements Block {
    private final int capacity;
    private final int comparators;
    private final int roundOverhead;
    private final long seed;
    private final int iw;
    private final int nw;

    public QuickSelectBlock(int capacity, int comparators, int roundOverhead, long seed) {
        if (capacity < 2 || capacity > 64 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity must be a power of two from 2 to 64 (the mask is one output word)");
        }
        if (comparators < 1 || comparators > capacity || Integer.bitCount(comparators) != 1) {
            throw new IllegalArgumentException("comparators must be a power of two from 1 to the capacity");
        }
        if (roundOverhead < 2 || roundOverhead > 64) {
            throw new IllegalArgumentException("a round's overhead is 2 to 64 cycles: the pivot cycle and the decision cycle"
                + " are part of it");
        }
        this.capacity = capacity;
        this.comparators = comparators;
        this.roundOverhead = roundOverhead;
        this.seed = seed;
        this.iw = Integer.numberOfTrailingZeros(capacity);
        this.nw = iw + 1;
    }

    public TopKEngine.QuickSelect engine() {
        return new TopKEngine.QuickSelect(comparators, roundOverhead, TopKEngine.Pivot.LFSR, seed);
    }

    @Override
    public String name() {
        return "quickselect_" + capacity + "_p" + comparators;
    }

    private static Hdl.Expr u(long v, int w) {
        return Hdl.constant(v, w, false);
    }

    private static final int IDLE = 0;
    private static final int PIVOT = 1;
    private static final int SCAN = 2;
    private static final int DECIDE = 3;
    private static final int PAD = 4;

    @Override
    public List<Hdl.Module> modules() {
        int n = capacity;
        int pc = comparators;
        Hdl.Module m = new Hdl.Module(name(), "quick-select top-k of " + n + " int16 scores, " + pc + " comparators, rounds of"
            + " ceil(left/" + pc + ") + " + roundOverhead + " cycles, LFSR pivots");
        m.clocked();
        Hdl.Expr loadWe = m.input("load_we", 1, false);
        Hdl.Expr loadAddr = m.input("load_addr", iw, false);
        Hdl.Expr loadData = m.input("load_data", 16, true);
        Hdl.Expr start = m.input("start", 1, false);
        Hdl.Expr startN = m.input("start_n", nw, false);
        Hdl.Expr startK = m.input("start_k", nw, false);
        Hdl.Signal state = m.reg("state", 3, false, IDLE);
        Hdl.Expr st = state.ref();
        Hdl.Expr idle = m.let("idle", Hdl.is(st, IDLE));
        Hdl.Signal busy = m.output("busy", 1, false);
        m.assign(busy, idle.not());
        Hdl.Signal done = m.registerOutput("done", 1, false, 0);
        Hdl.Signal mask = m.registerOutput("mask", n, false, 0);

        Hdl.Signal[] score = new Hdl.Signal[n];
        for (int i = 0; i < n; i++) {
            score[i] = m.reg("score_" + i, 16, true, 0);
            m.next(score[i], loadData.when(loadWe.and(idle).and(Hdl.is(loadAddr, i)), score[i].ref()));
        }
        Hdl.Signal left = m.reg("left", nw, false, 0);
        Hdl.Signal need = m.reg("need", nw, false, 0);
        Hdl.Signal lfsr = m.reg("lfsr", 16, false, 1);
        Hdl.Signal pivot = m.reg("pivot", 16, true, 0);
        Hdl.Signal pos = m.reg("pos", nw, false, 0);
        Hdl.Signal pad = m.reg("pad", 7, false, 0);
        Hdl.Signal gcount = m.reg("gcount", nw, false, 0);
        Hdl.Signal lcount = m.reg("lcount", nw, false, 0);
        Hdl.Signal ecount = m.reg("ecount", nw, false, 0);
        Hdl.Signal chosen = m.reg("chosen", n, false, 0);
        Hdl.Signal gmask = m.reg("gmask", n, false, 0);
        Hdl.Signal emask = m.reg("emask", n, false, 0);
        Hdl.Signal finished = m.reg("finished", 1, false, 0);
        Hdl.Signal[] cand = new Hdl.Signal[n];
        Hdl.Signal[] gbuf = new Hdl.Signal[n];
        Hdl.Signal[] lbuf = new Hdl.Signal[n];
        for (int i = 0; i < n; i++) {
            cand[i] = m.reg("cand_" + i, iw, false, 0);
            gbuf[i] = m.reg("gbuf_" + i, iw, false, 0);
            lbuf[i] = m.reg("lbuf_" + i, iw, false, 0);
        }

        Hdl.Expr startOk = m.let("start_ok", start.and(idle).and(u(n, nw).ge(startN)).and(startN.ge(startK)));
        // Trivial selections (k = 0 or k = n) need no round: done at once.
        Hdl.Expr trivial = m.let("trivial", Hdl.is(startK, 0).or(startK.eq(startN)));
        Hdl.Expr allOf = m.let("all_of_n", selectMaskBelow(startN, n));

        // Pivot: candidate (lfsr * left) >> 16.
        Hdl.Expr prod = m.let("pivot_prod", lfsr.ref().mul(m.let("left_wide", Hdl.concat(u(0, 16 - nw), left.ref()))));
        Hdl.Expr at = m.let("pivot_at", prod.bits(16 + iw - 1, 16));
        List<Hdl.Expr> candRefs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            candRefs.add(cand[i].ref());
        }
        Hdl.Expr pivotIndex = m.let("pivot_index", Hdl.select(at, candRefs));
        List<Hdl.Expr> scoreRefs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            scoreRefs.add(score[i].ref());
        }
        Hdl.Expr pivotScore = m.let("pivot_score", Hdl.select(pivotIndex, scoreRefs));
        Hdl.Expr lsb = m.let("lfsr_lsb", lfsr.ref().bits(0, 0));
        Hdl.Expr shifted = m.let("lfsr_shift", Hdl.concat(u(0, 1), lfsr.ref().bits(15, 1)));
        Hdl.Expr taps = u(0xB400, 16);
        Hdl.Expr xored = m.let("lfsr_xor", shifted.or(taps).and(shifted.and(taps).not()));
        Hdl.Expr lfsrNext = m.let("lfsr_next", shifted.when(Hdl.is(lsb, 0), xored));
        Hdl.Expr seedValue = u(TopKEngine.lfsrSeed(seed), 16);

        // Scan: comparators j look at cand[pos + j].
        Hdl.Expr inScan = m.let("in_scan", Hdl.is(st, SCAN));
        Hdl.Expr[] valid = new Hdl.Expr[pc];
        Hdl.Expr[] idx = new Hdl.Expr[pc];
        Hdl.Expr[] gt = new Hdl.Expr[pc];
        Hdl.Expr[] eq = new Hdl.Expr[pc];
        Hdl.Expr[] lt = new Hdl.Expr[pc];
        for (int j = 0; j < pc; j++) {
            Hdl.Expr p = m.let("slot_" + j, pos.ref().add(u(j, nw)));
            valid[j] = m.let("valid_" + j, inScan.and(left.ref().gt(p)));
            idx[j] = m.let("cand_at_" + j, Hdl.select(m.let("slot_low_" + j, p.bits(iw - 1, 0)), candRefs));
            Hdl.Expr sc = m.let("score_at_" + j, Hdl.select(idx[j], scoreRefs));
            gt[j] = m.let("gt_" + j, valid[j].and(sc.gt(pivot.ref())));
            eq[j] = m.let("eq_" + j, valid[j].and(sc.eq(pivot.ref())));
            lt[j] = m.let("lt_" + j, valid[j].and(pivot.ref().gt(sc)));
        }
        // Offsets of each comparator's write into the compacted lists.
        Hdl.Expr[] gOff = new Hdl.Expr[pc + 1];
        Hdl.Expr[] lOff = new Hdl.Expr[pc + 1];
        Hdl.Expr[] eOff = new Hdl.Expr[pc + 1];
        gOff[0] = gcount.ref();
        lOff[0] = lcount.ref();
        eOff[0] = ecount.ref();
        for (int j = 0; j < pc; j++) {
            gOff[j + 1] = m.let("g_off_" + (j + 1), gOff[j].add(Hdl.concat(u(0, nw - 1), gt[j])));
            lOff[j + 1] = m.let("l_off_" + (j + 1), lOff[j].add(Hdl.concat(u(0, nw - 1), lt[j])));
            eOff[j + 1] = m.let("e_off_" + (j + 1), eOff[j].add(Hdl.concat(u(0, nw - 1), eq[j])));
        }
        Hdl.Expr[] gLow = new Hdl.Expr[pc];
        Hdl.Expr[] lLow = new Hdl.Expr[pc];
        for (int j = 0; j < pc; j++) {
            gLow[j] = m.let("g_at_" + j, m.let("g_pos_" + j, gOff[j]).bits(iw - 1, 0));
            lLow[j] = m.let("l_at_" + j, m.let("l_pos_" + j, lOff[j]).bits(iw - 1, 0));
        }
        Hdl.Expr scanLast = m.let("scan_last", inScan.and(m.let("pos_next", pos.ref().add(u(pc, nw))).ge(left.ref())));
        Hdl.Expr gmaskAdd = u(0, n);
        Hdl.Expr emaskAdd = u(0, n);
        for (int j = 0; j < pc; j++) {
            Hdl.Expr onehot = m.let("onehot_" + j, oneHot(idx[j], n));
            gmaskAdd = gmaskAdd.or(onehot.when(gt[j], u(0, n)));
            emaskAdd = emaskAdd.or(onehot.when(eq[j], u(0, n)));
        }
        Hdl.Expr gmaskAll = m.let("gmask_all", gmaskAdd);
        Hdl.Expr emaskAll = m.let("emask_all", emaskAdd);

        // Decide.
        Hdl.Expr inDecide = m.let("in_decide", Hdl.is(st, DECIDE));
        Hdl.Expr g = gcount.ref();
        Hdl.Expr ge = m.let("g_plus_e", g.add(ecount.ref()));
        Hdl.Expr keepGreater = m.let("keep_greater", g.ge(need.ref()));
        Hdl.Expr tiesEnd = m.let("ties_end", keepGreater.not().and(ge.ge(need.ref())));
        Hdl.Expr takeLess = m.let("take_less", keepGreater.not().and(tiesEnd.not()));
        Hdl.Expr tiesWanted = m.let("ties_wanted", need.ref().sub(g));
        Hdl.Expr lowestTies = m.let("lowest_ties", lowest(m, "tie", emask.ref(), tiesWanted, n));
        Hdl.Expr newLeft = m.let("new_left", g.when(keepGreater, lcount.ref()));
        Hdl.Expr newNeed = m.let("new_need", need.ref().when(keepGreater, u(0, nw).when(tiesEnd, need.ref().sub(ge))));
        // What the less side leaves alive: the candidates neither greater nor equal.
        Hdl.Expr chosenDecide = m.let("chosen_decide", chosen.ref().when(keepGreater,
            chosen.ref().or(gmask.ref()).or(lowestTies).when(tiesEnd, chosen.ref().or(gmask.ref()).or(emask.ref()))));
        Hdl.Expr aliveMask = m.let("alive_mask", gmask.ref().when(keepGreater, lessMask(m, emask.ref(), gmask.ref(), candRefs,
            left.ref(), n)));
        Hdl.Expr allLeft = m.let("all_left", newNeed.eq(newLeft));
        Hdl.Expr decideDone = m.let("decide_done", Hdl.is(newNeed, 0).or(allLeft));
        Hdl.Expr chosenFinal = m.let("chosen_final", chosenDecide.or(aliveMask).when(allLeft.and(Hdl.is(newNeed, 0).not()),
            chosenDecide));

        Hdl.Expr padLast = m.let("pad_last", Hdl.is(st, PAD).and(Hdl.is(pad.ref(), roundOverhead - 3)));
        Hdl.Expr roundEnd = roundOverhead == 2 ? inDecide : padLast;
        Hdl.Expr endNow = m.let("end_now", roundEnd.and(roundOverhead == 2 ? decideDone : finished.ref()));

        // State.
        Hdl.Expr next = u(PIVOT, 3).when(startOk.and(trivial.not()), st);
        next = u(SCAN, 3).when(Hdl.is(st, PIVOT), next);
        next = u(DECIDE, 3).when(scanLast, next);
        if (roundOverhead == 2) {
            next = u(IDLE, 3).when(decideDone, u(PIVOT, 3)).when(inDecide, next);
        } else {
            next = u(PAD, 3).when(inDecide, next);
            next = u(IDLE, 3).when(finished.ref(), u(PIVOT, 3)).when(padLast, next);
        }
        m.next(state, next);
        m.next(pad, u(0, 7).when(inDecide, pad.ref().add(u(1, 7))));
        m.next(finished, decideDone.when(inDecide, finished.ref()));
        m.next(left, startN.when(startOk, newLeft.when(inDecide, left.ref())));
        m.next(need, startK.when(startOk, newNeed.when(inDecide, need.ref())));
        m.next(lfsr, seedValue.when(startOk, lfsrNext.when(Hdl.is(st, PIVOT), lfsr.ref())));
        m.next(pivot, pivotScore.when(Hdl.is(st, PIVOT), pivot.ref()));
        m.next(pos, u(0, nw).when(Hdl.is(st, PIVOT), m.let("pos_step", pos.ref().add(u(pc, nw))).when(inScan, pos.ref())));
        Hdl.Expr roundStart = m.let("round_start", Hdl.is(st, PIVOT));
        m.next(gcount, u(0, nw).when(roundStart, gOff[pc].when(inScan, gcount.ref())));
        m.next(lcount, u(0, nw).when(roundStart, lOff[pc].when(inScan, lcount.ref())));
        m.next(ecount, u(0, nw).when(roundStart, eOff[pc].when(inScan, ecount.ref())));
        m.next(gmask, u(0, n).when(roundStart, gmask.ref().or(gmaskAll).when(inScan, gmask.ref())));
        m.next(emask, u(0, n).when(roundStart, emask.ref().or(emaskAll).when(inScan, emask.ref())));
        m.next(chosen, u(0, n).when(startOk, chosenFinal.when(inDecide, chosen.ref())));
        for (int i = 0; i < n; i++) {
            Hdl.Expr gw = gbuf[i].ref();
            Hdl.Expr lw = lbuf[i].ref();
            for (int j = pc - 1; j >= 0; j--) {
                gw = idx[j].when(gt[j].and(Hdl.is(gLow[j], i)), gw);
                lw = idx[j].when(lt[j].and(Hdl.is(lLow[j], i)), lw);
            }
            m.next(gbuf[i], gw);
            m.next(lbuf[i], lw);
            m.next(cand[i], u(i, iw).when(startOk, gbuf[i].ref().when(keepGreater, lbuf[i].ref()).when(inDecide.and(takeLess
                .or(keepGreater)), cand[i].ref())));
        }
        m.next(done, startOk.and(trivial).or(endNow));
        Hdl.Expr maskAtEnd = (roundOverhead == 2 ? chosenFinal : chosen.ref()).when(endNow, mask.ref());
        Hdl.Expr maskTrivial = u(0, n).when(Hdl.is(startK, 0), allOf);
        m.next(mask, maskTrivial.when(startOk.and(trivial), maskAtEnd));
        return List.of(m);
    }

    /** Bits 0..count−1 set. */
    private static Hdl.Expr selectMaskBelow(Hdl.Expr count, int width) {
        Hdl.Expr e = u(0, width);
        for (int i = width; i >= 1; i--) {
            e = u(i == 64 ? -1L : (1L << i) - 1, width).when(Hdl.is(count, i), e);
        }
        return e;
    }

    private static Hdl.Expr oneHot(Hdl.Expr index, int width) {
        Hdl.Expr e = u(0, width);
        for (int i = width - 1; i >= 0; i--) {
            e = u(1L << i, width).when(Hdl.is(index, i), e);
        }
        return e;
    }

    /** The lowest {@code count} set bits of {@code bits}. */
    private static Hdl.Expr lowest(Hdl.Module m, String n, Hdl.Expr bits, Hdl.Expr count, int width) {
        Hdl.Expr seen = u(0, count.width());
        List<Hdl.Expr> take = new ArrayList<>();
        Hdl.Expr b = m.let(n + "_bits", bits);
        for (int i = 0; i < width; i++) {
            Hdl.Expr bit = m.let(n + "_bit_" + i, b.bits(i, i));
            take.add(m.let(n + "_take_" + i, bit.and(count.gt(seen))));
            if (i < width - 1) {
                seen = m.let(n + "_seen_" + i, seen.add(Hdl.concat(u(0, count.width() - 1), bit)));
            }
        }
        List<Hdl.Expr> msbFirst = new ArrayList<>(take);
        java.util.Collections.reverse(msbFirst);
        return Hdl.concat(msbFirst.toArray(Hdl.Expr[]::new));
    }

    /** The candidates (cand[0..left)) neither greater than the pivot nor equal to it. */
    private static Hdl.Expr lessMask(Hdl.Module m, Hdl.Expr emask, Hdl.Expr gmask, List<Hdl.Expr> cand, Hdl.Expr left, int n) {
        Hdl.Expr alive = u(0, n);
        for (int j = 0; j < n; j++) {
            Hdl.Expr in = m.let("alive_in_" + j, left.gt(u(j, left.width())));
            alive = alive.or(m.let("alive_hot_" + j, oneHot(cand.get(j), n)).when(in, u(0, n)));
        }
        Hdl.Expr all = m.let("alive_all", alive);
        return all.and(emask.or(gmask).not());
    }


    // ------------------------------------------------------------------ the engine as the model

    @Override
    public Model model(boolean bug) {
        return new EngineModel(bug);
    }

    final class EngineModel implements Model {
        final boolean bug;
        final long[] scores = new long[capacity];
        int remaining;
        boolean busy;
        boolean done;
        long mask;
        long pendingMask;
        long cycles;

        EngineModel(boolean bug) {
            this.bug = bug;
        }

        /**
         * The engine's cycles summed over the selections started, less what a selection still in
         * progress has left: what {@code rtl cosim} reports as modelCycles.
         */
        @Override
        public long busyCycles() {
            return cycles - (busy ? remaining - 1 : 0);
        }

        @Override
        public Map<String, Long> step(Map<String, Long> in) {
            if (in.get("rst") == 1) {
                cycles -= busy ? remaining - 1 : 0;
                java.util.Arrays.fill(scores, 0);
                busy = false;
                done = false;
                mask = 0;
                remaining = 0;
                return outputs();
            }
            boolean idle = !busy;
            done = false;
            // A score written at the start cycle is what the RTL's first pivot reads: apply it first.
            if (idle && in.get("load_we") == 1) {
                scores[(int) (long) in.get("load_addr")] = Block.signed(in.get("load_data"), 16);
            }
            if (busy) {
                remaining--;
                if (remaining == 0) {
                    busy = false;
                    done = true;
                    mask = pendingMask;
                }
            }
            long n = in.get("start_n");
            long k = in.get("start_k");
            if (idle && in.get("start") == 1 && n <= capacity && k <= n) {
                float[] f = new float[capacity];
                for (int i = 0; i < capacity; i++) {
                    f[i] = scores[i];
                }
                TopKEngine.QuickSelect engine = bug ? new TopKEngine.QuickSelect(comparators, roundOverhead + 1,
                    TopKEngine.Pivot.LFSR, seed) : engine();
                TopKEngine.Selection s = engine.select(f, (int) n, (int) k);
                long bits = 0;
                for (int i : s.indices()) {
                    bits |= 1L << i;
                }
                cycles += s.cycles();
                if (s.cycles() == 0) {
                    done = true;
                    mask = bits;
                } else {
                    busy = true;
                    remaining = (int) s.cycles();
                    pendingMask = bits;
                }
            }
            return outputs();
        }

        private Map<String, Long> outputs() {
            Map<String, Long> o = new LinkedHashMap<>();
            o.put("busy", busy ? 1L : 0L);
            o.put("done", done ? 1L : 0L);
            o.put("mask", Block.mask(mask, capacity));
            return o;
        }
    }

    @Override
    public Map<String, Long> random(SplittableRandom r) {
        Map<String, Long> in = new LinkedHashMap<>();
        in.put("rst", 0L);
        in.put("load_we", r.nextInt(3) == 0 ? 0L : 1L);
        in.put("load_addr", (long) r.nextInt(capacity));
        // Few distinct values half the time: ties, and equal pivots, are where selections go wrong.
        in.put("load_data", (long) (r.nextBoolean() ? r.nextInt(4) : r.nextInt(65536)));
        in.put("start", r.nextInt(24) == 0 ? 1L : 0L);
        long n = r.nextInt(capacity + 2);
        in.put("start_n", n);
        in.put("start_k", (long) r.nextInt((int) n + 2));
        return in;
    }

    /** All-equal scores, sorted and reversed ones, k = 0, 1, n − 1 and n. */
    @Override
    public List<Map<String, Long>> directed() {
        List<Map<String, Long>> out = new ArrayList<>();
        for (int pattern = 0; pattern < 3; pattern++) {
            for (int i = 0; i < capacity; i++) {
                long v = pattern == 0 ? 7 : pattern == 1 ? i : capacity - i;
                out.add(cycle(1, i, v, 0, 0, 0));
            }
            for (int k : new int[] {0, 1, capacity - 1, capacity}) {
                out.add(cycle(0, 0, 0, 1, capacity, k));
                for (int w = 0; w < 4 * (capacity / comparators + roundOverhead) * (capacity + 1); w++) {
                    out.add(cycle(0, 0, 0, 0, 0, 0));
                    if (w > 8 * capacity) {
                        break;
                    }
                }
            }
        }
        return out;
    }

    private static Map<String, Long> cycle(long we, long addr, long data, long start, long n, long k) {
        Map<String, Long> in = new LinkedHashMap<>();
        in.put("rst", 0L);
        in.put("load_we", we);
        in.put("load_addr", addr);
        in.put("load_data", data & 0xFFFF);
        in.put("start", start);
        in.put("start_n", n);
        in.put("start_k", k);
        return in;
    }
}
