package cascade.hw.rtl;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A 1-pass (online-softmax) attention core in FuseMax's split, in fixed point: an R×C array of
 * PEs computes a block of R queries' scores against a chunk of C keys (QK, E multiply-accumulates
 * with broadcast operands), R lanes take the row maxima (LM, RM), the exponentials of the scores
 * and of the old maximum less the new one (SLN, PRM, by table) and their sums (SLD), the array
 * multiplies the exponentials by the chunk's values (SLNV, one output column a cycle through each
 * row's adder tree) and the lanes rescale the running denominator and numerator (RD, RNV). After
 * the last chunk of a block the state is handed to the drain, where each lane divides (AV, a
 * 16-step restoring divider) while the next block, or the next head, has already started.
 *
 * <p>Phases, per chunk: QK takes E + 1 cycles (the memories' read latency), MAX C, EXP C + 3 (the
 * old maximum, then C scores, through a 3-stage pipe), PV F + 2; a block ends with one hand-off
 * cycle, which waits while the drain is still busy with the previous block. {@link #cycles} is
 * that count, and the Java model ({@link #model}) keeps every register the RTL has, cycle by cycle.
 *
 * <p>Ports: memories are written one int8 word a cycle ({@code load_sel} 0 Q, 1 K, 2 V; {@code
 * load_bank} the query's row r = p mod R or the key's column c = m mod C; {@code load_addr} as
 * {@link #address} gives). {@code start} with {@code start_chunks} = N / C and {@code start_heads}
 * runs heads of N tokens each (self-attention: N queries against N keys); each output is one
 * column f of R queries ({@code out_data_r}: AV[f, query + r] in Q(15-OF).OF).
 */
public final class AttentionCore implements Block {
    private final AttentionParams p;
    private final boolean stepped;
    // Widths.
    private final int scoreW;
    private final int probW;
    private final int runW;
    private final int pvW;
    private final int idxW;
    private final int cntW;
    private final int chunksW;
    private final int headsW;
    private final int qAw;
    private final int kAw;
    private final int vAw;
    private final int loadAw;
    private final int bankW;
    private final int queryW;
    private final int fW;
    private final long scaleConst;
    private final long[] expTable;

    public AttentionCore(AttentionParams params) {
        this(params, false);
    }

    /** {@code stepped}: with a clock enable {@code ce}, for a top level that steps the core (see {@link SerialTop#around}). */
    public AttentionCore(AttentionParams params, boolean stepped) {
        this.p = params;
        this.stepped = stepped;
        int lgE = log2(p.headDim());
        scoreW = 17 + lgE;
        probW = p.probabilityFraction() + 1;
        runW = log2(p.tokens()) + p.probabilityFraction() + 9;
        pvW = p.probabilityFraction() + 10 + log2(p.cols());
        idxW = p.expIndexBits();
        cntW = 8;
        chunksW = log2(p.tokens() / p.cols()) + 1;
        headsW = log2(p.heads()) + 1;
        qAw = log2(p.heads() * p.tokens() / p.rows() * p.headDim());
        kAw = log2(p.heads() * p.tokens() / p.cols() * p.headDim());
        vAw = log2(p.heads() * p.tokens() / p.cols() * p.valueDim());
        loadAw = Math.max(qAw, Math.max(kAw, vAw));
        bankW = Math.max(1, log2(Math.max(p.rows(), p.cols())));
        queryW = Math.max(1, log2(p.tokens() * p.heads()) + 1);
        fW = Math.max(1, log2(p.valueDim()));
        scaleConst = p.scaleConstant();
        expTable = p.expTable();
    }

    public AttentionParams params() {
        return p;
    }

    static int log2(int x) {
        return Integer.numberOfTrailingZeros(x);
    }

    @Override
    public String name() {
        return "attention_core";
    }

    /** The memory address of element e of query (or key, or value) {@code token} of head {@code h}. */
    public static int address(AttentionParams p, int sel, int h, int token, int e, int tokensPerHead) {
        return switch (sel) {
            case 0 -> ((h * tokensPerHead + token) / p.rows()) * p.headDim() + e;
            case 1 -> ((h * tokensPerHead + token) / p.cols()) * p.headDim() + e;
            default -> ((h * tokensPerHead + token) / p.cols()) * p.valueDim() + e;
        };
    }

    /** Cycles from the {@code start} cycle to the last output of {@code heads} heads of {@code tokens} tokens. */
    public static long cycles(AttentionParams p, int tokens, int heads) {
        long chunks = tokens / p.cols();
        long perChunk = p.headDim() + 1 + p.cols() + p.cols() + 3 + p.valueDim() + 2;
        long perBlock = chunks * perChunk + 1;
        long blocks = (long) heads * tokens / p.rows();
        long drain = (long) p.valueDim() * 17;
        // The drain of a block overlaps the next block unless it is longer (then each hand-off waits).
        long handoffWait = Math.max(0, drain - (perBlock - 1));
        return 1 + blocks * perBlock + (blocks - 1) * handoffWait + drain; // 1: the start cycle
    }

    // ------------------------------------------------------------------ RTL

    private static Hdl.Expr u(long v, int w) {
        return Hdl.constant(v, w, false);
    }


    @Override
    public List<Hdl.Module> modules() {
        int R = p.rows();
        int C = p.cols();
        int E = p.headDim();
        int F = p.valueDim();
        int PF = p.probabilityFraction();
        Hdl.Module m = new Hdl.Module(name(), "1-pass attention core: " + R + "x" + C + " array, " + R + " lanes, E=" + E
            + ", F=" + F + ", up to " + p.tokens() + " tokens x " + p.heads() + " heads");
        m.clocked();
        if (stepped) {
            m.clockEnable();
        }
        Hdl.Expr loadWe = m.input("load_we", 1, false);
        Hdl.Expr loadSel = m.input("load_sel", 2, false);
        Hdl.Expr loadBank = m.input("load_bank", bankW, false);
        Hdl.Expr loadAddr = m.input("load_addr", loadAw, false);
        Hdl.Expr loadData = m.input("load_data", 8, true);
        Hdl.Expr start = m.input("start", 1, false);
        Hdl.Expr startChunks = m.input("start_chunks", chunksW, false);
        Hdl.Expr startHeads = m.input("start_heads", headsW, false);

        Hdl.Signal phase = m.registerOutput("phase", 3, false, 0);
        Hdl.Signal cnt = m.reg("cnt", cntW, false, 0);
        Hdl.Signal chunks = m.reg("chunks", chunksW, false, 0);
        Hdl.Signal heads = m.reg("heads", headsW, false, 0);
        Hdl.Signal j = m.reg("chunk", chunksW, false, 0);
        Hdl.Signal blk = m.reg("block", chunksW + log2(C) + 1, false, 0);
        Hdl.Signal h = m.reg("head", headsW, false, 0);
        Hdl.Signal qbase = m.reg("qbase", qAw, false, 0);
        Hdl.Signal khead = m.reg("khead", kAw, false, 0);
        Hdl.Signal kcur = m.reg("kcur", kAw, false, 0);
        Hdl.Signal vhead = m.reg("vhead", vAw, false, 0);
        Hdl.Signal vcur = m.reg("vcur", vAw, false, 0);
        Hdl.Signal query = m.reg("query", queryW, false, 0);

        Hdl.Expr ph = phase.ref();
        Hdl.Expr c = cnt.ref();
        Hdl.Expr idle = m.let("idle", Hdl.is(ph, 0));
        Hdl.Expr inQk = m.let("in_qk", Hdl.is(ph, 1));
        Hdl.Expr inMax = m.let("in_max", Hdl.is(ph, 2));
        Hdl.Expr inExp = m.let("in_exp", Hdl.is(ph, 3));
        Hdl.Expr inPv = m.let("in_pv", Hdl.is(ph, 4));
        Hdl.Expr inHand = m.let("in_handoff", Hdl.is(ph, 5));
        Hdl.Signal drBusy = m.reg("dr_busy", 1, false, 0);
        Hdl.Signal busyOut = m.output("busy", 1, false);
        m.assign(busyOut, idle.not().or(drBusy.ref()));

        // Start: accepted when idle, the drain empty and the sizes within what the memories hold.
        Hdl.Expr startOk = start.and(idle).and(drBusy.ref().not()).and(startChunks.eq(u(0, chunksW)).not())
            .and(startHeads.eq(u(0, headsW)).not());
        // A bound the port's width already enforces is left out (the linter rejects a constant comparison).
        if (p.tokens() / C < (1 << chunksW) - 1) {
            startOk = startOk.and(u(p.tokens() / C, chunksW).ge(startChunks));
        }
        if (p.heads() < (1 << headsW) - 1) {
            startOk = startOk.and(u(p.heads(), headsW).ge(startHeads));
        }
        startOk = m.let("start_ok", startOk);

        Hdl.Expr qkLast = m.let("qk_last", inQk.and(Hdl.is(c, E)));
        Hdl.Expr maxLast = m.let("max_last", inMax.and(Hdl.is(c, C - 1)));
        Hdl.Expr expLast = m.let("exp_last", inExp.and(Hdl.is(c, C + 2)));
        Hdl.Expr pvLast = m.let("pv_last", inPv.and(Hdl.is(c, F + 1)));
        Hdl.Expr moreChunks = m.let("more_chunks", chunks.ref().gt(m.let("chunk_next", j.ref().add(u(1, chunksW)))));
        Hdl.Expr handGo = m.let("handoff_go", inHand.and(drBusy.ref().not()));
        int blkW = blk.width();
        int perChunkBits = log2(C / R);
        Hdl.Expr blocksPerHead = perChunkBits == 0 ? chunks.ref() : Hdl.concat(chunks.ref(), u(0, perChunkBits));
        Hdl.Expr bph = m.let("blocks_per_head", Hdl.concat(u(0, blkW - blocksPerHead.width()), blocksPerHead));
        Hdl.Expr blkNext = m.let("block_next", blk.ref().add(u(1, blkW)));
        Hdl.Expr moreBlocks = m.let("more_blocks", bph.gt(blkNext));
        Hdl.Expr headNext = m.let("head_next", h.ref().add(u(1, headsW)));
        Hdl.Expr moreHeads = m.let("more_heads", heads.ref().gt(headNext));

        // Phase and counter.
        Hdl.Expr phaseNext = u(1, 3).when(startOk, ph);
        phaseNext = u(2, 3).when(qkLast, phaseNext);
        phaseNext = u(3, 3).when(maxLast, phaseNext);
        phaseNext = u(4, 3).when(expLast, phaseNext);
        phaseNext = u(1, 3).when(moreChunks, u(5, 3)).when(pvLast, phaseNext);
        phaseNext = u(1, 3).when(moreBlocks.or(moreHeads), u(0, 3)).when(handGo, phaseNext);
        m.next(phase, phaseNext);
        Hdl.Expr phaseEnds = m.let("phase_ends", startOk.or(qkLast).or(maxLast).or(expLast).or(pvLast).or(handGo));
        m.next(cnt, u(0, cntW).when(phaseEnds.or(idle).or(inHand), c.add(u(1, cntW))));
        m.next(chunks, startChunks.when(startOk, chunks.ref()));
        m.next(heads, startHeads.when(startOk, heads.ref()));
        Hdl.Expr chunkAdvance = m.let("chunk_advance", pvLast.and(moreChunks));
        m.next(j, u(0, chunksW).when(startOk.or(handGo), j.ref().add(u(1, chunksW)).when(chunkAdvance, j.ref())));
        Hdl.Expr blockAdvance = m.let("block_advance", handGo.and(moreBlocks));
        Hdl.Expr headAdvance = m.let("head_advance", handGo.and(moreBlocks.not()).and(moreHeads));
        m.next(blk, u(0, blkW).when(startOk.or(headAdvance), blk.ref().add(u(1, blkW)).when(blockAdvance, blk.ref())));
        m.next(h, u(0, headsW).when(startOk, headNext.when(headAdvance, h.ref())));
        m.next(qbase, u(0, qAw).when(startOk, qbase.ref().add(u(E, qAw)).when(handGo, qbase.ref())));
        Hdl.Expr kNext = m.let("k_next", kcur.ref().add(u(E % (1L << kAw), kAw)));
        Hdl.Expr vNext = m.let("v_next", vcur.ref().add(u(F % (1L << vAw), vAw)));
        m.next(kcur, u(0, kAw).when(startOk, kNext.when(chunkAdvance.or(headAdvance), khead.ref().when(blockAdvance, kcur.ref()))));
        m.next(khead, u(0, kAw).when(startOk, kNext.when(headAdvance, khead.ref())));
        m.next(vcur, u(0, vAw).when(startOk, vNext.when(chunkAdvance.or(headAdvance), vhead.ref().when(blockAdvance, vcur.ref()))));
        m.next(vhead, u(0, vAw).when(startOk, vNext.when(headAdvance, vhead.ref())));
        m.next(query, u(0, queryW).when(startOk, query.ref().add(u(R, queryW)).when(handGo, query.ref())));

        // Memories: Q banks by query row, K and V banks by key column.
        Hdl.Expr qRead = m.let("q_raddr", qbase.ref().add(qAw > cntW ? Hdl.concat(u(0, qAw - cntW), c) : c.resize(qAw)));
        Hdl.Expr kRead = m.let("k_raddr", kcur.ref().add(kAw > cntW ? Hdl.concat(u(0, kAw - cntW), c) : c.resize(kAw)));
        Hdl.Expr vRead = m.let("v_raddr", vcur.ref().add(vAw > cntW ? Hdl.concat(u(0, vAw - cntW), c) : c.resize(vAw)));
        Hdl.Expr[] qd = new Hdl.Expr[R];
        Hdl.Expr[] kd = new Hdl.Expr[C];
        Hdl.Expr[] vd = new Hdl.Expr[C];
        for (int r = 0; r < R; r++) {
            Hdl.Expr we = m.let("q_we_" + r, loadWe.and(Hdl.is(loadSel, 0)).and(Hdl.is(loadBank, r)));
            qd[r] = m.memory("q_mem_" + r, 8, 1 << qAw, we, loadAddr.resize(qAw), loadData, qRead).ref();
        }
        for (int col = 0; col < C; col++) {
            Hdl.Expr weK = m.let("k_we_" + col, loadWe.and(Hdl.is(loadSel, 1)).and(Hdl.is(loadBank, col)));
            kd[col] = m.memory("k_mem_" + col, 8, 1 << kAw, weK, loadAddr.resize(kAw), loadData, kRead).ref();
            Hdl.Expr weV = m.let("v_we_" + col, loadWe.and(Hdl.is(loadSel, 2)).and(Hdl.is(loadBank, col)));
            vd[col] = m.memory("v_mem_" + col, 8, 1 << vAw, weV, loadAddr.resize(vAw), loadData, vRead).ref();
        }

        // The array: scores, then the chunk's exponentials held for SLNV.
        Hdl.Signal[][] s = new Hdl.Signal[R][C];
        Hdl.Signal[][] pr = new Hdl.Signal[R][C];
        Hdl.Expr qkAcc = m.let("qk_acc", inQk.and(c.eq(u(0, cntW)).not()));
        Hdl.Expr qkFirst = m.let("qk_first", Hdl.is(c, 1));
        for (int r = 0; r < R; r++) {
            for (int col = 0; col < C; col++) {
                s[r][col] = m.reg("s_" + r + "_" + col, scoreW, true, 0);
                Hdl.Expr prod = m.let("qk_prod_" + r + "_" + col, qd[r].mul(kd[col]));
                Hdl.Expr base = Hdl.constant(0, scoreW, true).when(qkFirst, s[r][col].ref());
                m.next(s[r][col], base.add(prod.resize(scoreW)).when(qkAcc, s[r][col].ref()));
                pr[r][col] = m.reg("p_" + r + "_" + col, probW, false, 0);
            }
        }

        // Lanes.
        Hdl.Expr minScore = Hdl.constant(-(1L << (scoreW - 1)), scoreW, true);
        Hdl.Signal validA = m.reg("valid_a", 1, false, 0);
        Hdl.Signal itemA = m.reg("item_a", cntW, false, 0);
        Hdl.Signal validB = m.reg("valid_b", 1, false, 0);
        Hdl.Signal itemB = m.reg("item_b", cntW, false, 0);
        m.next(validA, inExp.and(u(C, cntW).ge(c)));
        m.next(itemA, c);
        m.next(validB, validA.ref());
        m.next(itemB, itemA.ref());
        Hdl.Expr pvAcc = m.let("pv_acc", inPv.and(c.eq(u(0, cntW)).not()));
        Hdl.Expr rnvUpdate = m.let("rnv_update", inPv.and(u(2, cntW).gt(c).not()));
        Hdl.Expr dUpdate = m.let("d_update", inPv.and(Hdl.is(c, 0)));
        int ixW = scoreW + 1;
        Hdl.Signal drStep = m.reg("dr_step", 5, false, 0);
        Hdl.Signal drF = m.reg("dr_f", fW, false, 0);
        Hdl.Expr drLastStep = m.let("dr_last_step", drBusy.ref().and(Hdl.is(drStep.ref(), 16)));
        Hdl.Expr drSetup = m.let("dr_setup", drBusy.ref().and(Hdl.is(drStep.ref(), 0)));
        Hdl.Expr drDone = m.let("dr_done", drLastStep.and(Hdl.is(drF.ref(), F - 1)));
        Hdl.Expr fSel = m.let("f_sel", c.sub(u(2, cntW)));
        int numW = runW + p.outputFraction() - p.inputFraction();
        int cmpW = Math.max(numW, runW + 16) + 1;
        for (int r = 0; r < R; r++) {
            String l = "l" + r + "_";
            Hdl.Signal mOld = m.reg(l + "m", scoreW, true, -(1L << (scoreW - 1)));
            Hdl.Signal mx = m.reg(l + "mx", scoreW, true, 0);
            List<Hdl.Expr> row = new ArrayList<>();
            for (int col = 0; col < C; col++) {
                row.add(s[r][col].ref());
            }
            Hdl.Expr cur = m.let(l + "score_at", Hdl.select(c, row));
            Hdl.Expr maxBase = m.let(l + "max_base", mOld.ref().when(Hdl.is(c, 0), mx.ref()));
            m.next(mx, maxBase.when(maxBase.ge(cur), cur).when(inMax, mx.ref()));
            m.next(mOld, minScore.when(startOk.or(handGo), mx.ref().when(expLast, mOld.ref())));
            // Stage A: t = (mx - x) / sqrt(E), in table steps.
            Hdl.Expr prev = m.let(l + "score_prev", Hdl.select(fSel.add(u(1, cntW)), row));
            Hdl.Expr x = m.let(l + "exp_x", mOld.ref().when(Hdl.is(c, 0), prev));
            Hdl.Expr diff = m.let(l + "diff", mx.ref().resize(ixW).sub(x.resize(ixW)));
            Hdl.Expr diffU = m.let(l + "diff_u", diff.bits(ixW - 1, 0));
            Hdl.Expr product = m.let(l + "scaled", diffU.mul(m.let(l + "scale", u(scaleConst, 16))));
            // Rounded to the nearest table step, so equal maxima give exactly 1.0 (no drift chunk after chunk).
            Hdl.Expr scaled = m.let(l + "scaled_round", Hdl.concat(u(0, 1), product).add(u(1L << 15, product.width() + 1)));
            Hdl.Expr t = m.let(l + "t", scaled.bits(scaled.width() - 1, 16));
            Hdl.Signal idx = m.reg(l + "idx", idxW, false, 0);
            Hdl.Signal zeroA = m.reg(l + "zero_a", 1, false, 0);
            m.next(idx, t.bits(idxW - 1, 0));
            m.next(zeroA, t.gt(u((1L << idxW) - 1, t.width())));
            // Stage B: the table; stage C: the exponential lands.
            Hdl.Expr ex = m.rom(l + "exp", probW, expTable, idx.ref()).ref();
            Hdl.Signal zeroB = m.reg(l + "zero_b", 1, false, 0);
            m.next(zeroB, zeroA.ref());
            Hdl.Expr pe = m.let(l + "pe", u(0, probW).when(zeroB.ref(), ex));
            Hdl.Signal alpha = m.reg(l + "alpha", probW, false, 0);
            Hdl.Expr landAlpha = m.let(l + "land_alpha", validB.ref().and(Hdl.is(itemB.ref(), 0)));
            m.next(alpha, pe.when(landAlpha, alpha.ref()));
            for (int col = 0; col < C; col++) {
                m.next(pr[r][col], pe.when(validB.ref().and(Hdl.is(itemB.ref(), col + 1)), pr[r][col].ref()));
            }
            Hdl.Signal psum = m.reg(l + "psum", runW, true, 0);
            Hdl.Expr peWide = m.let(l + "pe_wide", Hdl.concat(u(0, runW - probW), pe).asSigned());
            Hdl.Expr psumBase = m.let(l + "psum_base", Hdl.constant(0, runW, true).when(Hdl.is(itemB.ref(), 1), psum.ref()));
            m.next(psum, psumBase.add(peWide).when(validB.ref().and(landAlpha.not()), psum.ref()));
            // SLNV: the row's products with the value column through an adder tree.
            Hdl.Expr tree = null;
            for (int col = 0; col < C; col++) {
                Hdl.Expr ps = m.let(l + "p_s_" + col, Hdl.concat(u(0, 1), pr[r][col].ref()).asSigned());
                Hdl.Expr prod = m.let(l + "pv_prod_" + col, ps.mul(vd[col]));
                Hdl.Expr w = prod.resize(pvW);
                tree = tree == null ? w : tree.add(w);
            }
            Hdl.Signal pv = m.reg(l + "pv", pvW, true, 0);
            m.next(pv, tree.when(pvAcc, pv.ref()));
            // Rescaling: one multiplier, the denominator on the first cycle of PV, the numerator's columns after.
            Hdl.Signal d = m.reg(l + "d", runW, true, 0);
            Hdl.Signal[] rnv = new Hdl.Signal[F];
            List<Hdl.Expr> rnvRefs = new ArrayList<>();
            for (int f = 0; f < F; f++) {
                rnv[f] = m.reg(l + "rnv_" + f, runW, true, 0);
                rnvRefs.add(rnv[f].ref());
            }
            Hdl.Expr operand = m.let(l + "mul_a", d.ref().when(Hdl.is(c, 0), Hdl.select(fSel, rnvRefs)));
            Hdl.Expr alphaS = m.let(l + "alpha_s", Hdl.concat(u(0, 1), alpha.ref()).asSigned());
            Hdl.Expr rescaled = m.let(l + "rescaled", operand.mul(alphaS));
            Hdl.Expr shifted = m.let(l + "rescaled_shift", rescaled.bits(PF + runW - 1, PF).asSigned());
            Hdl.Expr addend = m.let(l + "addend", psum.ref().when(Hdl.is(c, 0), pv.ref().resize(runW)));
            Hdl.Expr updated = m.let(l + "updated", shifted.add(addend));
            m.next(d, updated.when(dUpdate, d.ref()));
            for (int f = 0; f < F; f++) {
                m.next(rnv[f], updated.when(rnvUpdate.and(Hdl.is(fSel, f)), rnv[f].ref()));
            }
            // The drain: a copy of the state, divided column by column.
            Hdl.Signal dd = m.reg(l + "dr_d", runW, true, 0);
            m.next(dd, d.ref().when(handGo, dd.ref()));
            List<Hdl.Expr> drRefs = new ArrayList<>();
            for (int f = 0; f < F; f++) {
                Hdl.Signal dn = m.reg(l + "dr_n_" + f, runW, true, 0);
                m.next(dn, rnv[f].ref().when(handGo, dn.ref()));
                drRefs.add(dn.ref());
            }
            Hdl.Expr num = m.let(l + "dr_num", Hdl.select(drF.ref(), drRefs));
            Hdl.Expr neg = m.let(l + "dr_num_neg", Hdl.constant(0, runW, true).gt(num));
            Hdl.Expr mag = m.let(l + "dr_mag", Hdl.constant(0, runW, true).sub(num).when(neg, num));
            Hdl.Expr magU = m.let(l + "dr_mag_u", mag.bits(runW - 1, 0));
            int sh = p.outputFraction() - p.inputFraction();
            Hdl.Expr numer = sh == 0 ? magU : Hdl.concat(magU, u(0, sh));
            Hdl.Expr numerW = m.let(l + "dr_numer", Hdl.concat(u(0, cmpW - numW), numer));
            Hdl.Expr ddU = m.let(l + "dr_den_u", dd.ref().bits(runW - 1, 0));
            Hdl.Expr den16 = m.let(l + "dr_den16", Hdl.concat(u(0, cmpW - runW - 16), ddU, u(0, 16)));
            Hdl.Expr den15 = m.let(l + "dr_den15", Hdl.concat(u(0, cmpW - runW - 15), ddU, u(0, 15)));
            Hdl.Signal rem = m.reg(l + "rem", cmpW, false, 0);
            Hdl.Signal dsh = m.reg(l + "dsh", cmpW, false, 0);
            Hdl.Signal q = m.reg(l + "quot", 16, false, 0);
            Hdl.Signal sat = m.reg(l + "sat", 1, false, 0);
            Hdl.Signal sign = m.reg(l + "neg", 1, false, 0);
            Hdl.Expr fits = m.let(l + "fits", rem.ref().ge(dsh.ref()));
            Hdl.Expr iterating = m.let(l + "iterating", drBusy.ref().and(drSetup.not()));
            m.next(rem, numerW.when(drSetup, rem.ref().sub(dsh.ref()).when(fits, rem.ref()).when(iterating, rem.ref())));
            m.next(dsh, den15.when(drSetup, Hdl.concat(u(0, 1), dsh.ref().bits(cmpW - 1, 1)).when(iterating, dsh.ref())));
            Hdl.Expr qNext = m.let(l + "quot_next", Hdl.concat(q.ref().bits(14, 0), fits));
            m.next(q, u(0, 16).when(drSetup, qNext.when(iterating, q.ref())));
            m.next(sat, numerW.ge(den16).when(drSetup, sat.ref()));
            m.next(sign, neg.when(drSetup, sign.ref()));
            Hdl.Expr clipped = m.let(l + "quot_clip", u(32767, 16).when(sat.ref().or(qNext.bits(15, 15)), qNext));
            Hdl.Expr outVal = m.let(l + "out_val", Hdl.constant(0, 16, false).sub(clipped).when(sign.ref(), clipped).asSigned());
            Hdl.Signal out = m.registerOutput("out_data_" + r, 16, true, 0);
            m.next(out, outVal.when(drLastStep, out.ref()));
        }
        m.next(drBusy, Hdl.constant(1, 1, false).when(handGo, u(0, 1).when(drDone, drBusy.ref())));
        m.next(drStep, u(0, 5).when(handGo.or(drLastStep), drStep.ref().add(u(1, 5)).when(drBusy.ref(), drStep.ref())));
        m.next(drF, u(0, fW).when(handGo, drF.ref().add(u(1, fW)).when(drLastStep, drF.ref())));
        Hdl.Signal outValid = m.registerOutput("out_valid", 1, false, 0);
        m.next(outValid, drLastStep);
        Hdl.Signal outF = m.registerOutput("out_f", fW, false, 0);
        m.next(outF, drF.ref().when(drLastStep, outF.ref()));
        Hdl.Signal drQuery = m.reg("dr_query", queryW, false, 0);
        m.next(drQuery, query.ref().when(handGo, drQuery.ref()));
        Hdl.Signal outQuery = m.registerOutput("out_query", queryW, false, 0);
        m.next(outQuery, drQuery.ref().when(drLastStep, outQuery.ref()));
        return List.of(m);
    }

    // ------------------------------------------------------------------ runs

    /** Int8 inputs of {@code heads} heads: q[h][p][e], k[h][m][e], v[h][m][f]. */
    public record Inputs(long[][][] q, long[][][] k, long[][][] v) {
        public int heads() {
            return q.length;
        }

        public int tokens() {
            return q[0].length;
        }

        /** Uniform random int8 values (the full range), reproducible from the seed. */
        public static Inputs random(AttentionParams p, int heads, int tokens, long seed) {
            SplittableRandom r = new SplittableRandom(seed);
            long[][][] q = new long[heads][tokens][p.headDim()];
            long[][][] k = new long[heads][tokens][p.headDim()];
            long[][][] v = new long[heads][tokens][p.valueDim()];
            for (long[][][] x : List.of(q, k, v)) {
                for (long[][] head : x) {
                    for (long[] row : head) {
                        for (int i = 0; i < row.length; i++) {
                            row[i] = r.nextInt(256) - 128;
                        }
                    }
                }
            }
            return new Inputs(q, k, v);
        }
    }

    /** A run's outputs: av[h][p][f] in the output format, and the cycles from start to the last output. */
    public record Outputs(long[][][] av, long cycles) {
    }

    /** Reset, every input word through the load port, start, then idle cycles until the last output is due. */
    public List<Map<String, Long>> stimulus(Inputs in) {
        if (in.tokens() % p.cols() != 0 || in.tokens() > p.tokens() || in.heads() > p.heads()) {
            throw new IllegalArgumentException("the core runs up to " + p.heads() + " heads of a multiple of " + p.cols()
                + " tokens, at most " + p.tokens() + "; not " + in.heads() + " x " + in.tokens());
        }
        List<Map<String, Long>> s = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Map<String, Long> rst = load(0, 0, 0, 0);
            rst.put("rst", 1L);
            rst.put("load_we", 0L);
            s.add(rst);
        }
        int n = in.tokens();
        for (int h = 0; h < in.heads(); h++) {
            for (int t = 0; t < n; t++) {
                for (int e = 0; e < p.headDim(); e++) {
                    s.add(load(0, t % p.rows(), address(p, 0, h, t, e, n), in.q()[h][t][e]));
                    s.add(load(1, t % p.cols(), address(p, 1, h, t, e, n), in.k()[h][t][e]));
                }
                for (int f = 0; f < p.valueDim(); f++) {
                    s.add(load(2, t % p.cols(), address(p, 2, h, t, f, n), in.v()[h][t][f]));
                }
            }
        }
        Map<String, Long> go = load(0, 0, 0, 0);
        go.put("load_we", 0L);
        go.put("start", 1L);
        go.put("start_chunks", (long) n / p.cols());
        go.put("start_heads", (long) in.heads());
        s.add(go);
        long wait = cycles(p, n, in.heads()) + 8;
        for (long i = 0; i < wait; i++) {
            Map<String, Long> idle = load(0, 0, 0, 0);
            idle.put("load_we", 0L);
            s.add(idle);
        }
        return s;
    }

    /** Gathers the outputs of a {@link #stimulus} run (the RTL's or the model's) into AV, and counts the cycles. */
    public Outputs collect(Inputs in, List<Map<String, Long>> stimulus, List<Map<String, Long>> outputs) {
        int startCycle = -1;
        for (int i = 0; i < stimulus.size(); i++) {
            if (stimulus.get(i).get("start") == 1) {
                startCycle = i;
            }
        }
        int n = in.tokens();
        long[][][] av = new long[in.heads()][n][p.valueDim()];
        boolean[][][] seen = new boolean[in.heads()][n][p.valueDim()];
        long last = -1;
        for (int i = startCycle; i < outputs.size(); i++) {
            Map<String, Long> o = outputs.get(i);
            if (o.get("out_valid") != 1) {
                continue;
            }
            long query = o.get("out_query");
            int f = (int) (long) o.get("out_f");
            for (int r = 0; r < p.rows(); r++) {
                long global = query + r;
                int h = (int) (global / n);
                int t = (int) (global % n);
                av[h][t][f] = Block.signed(o.get("out_data_" + r), 16);
                seen[h][t][f] = true;
            }
            last = i;
        }
        for (int h = 0; h < in.heads(); h++) {
            for (int t = 0; t < n; t++) {
                for (int f = 0; f < p.valueDim(); f++) {
                    if (!seen[h][t][f]) {
                        throw new IllegalStateException("the core gave no output for head " + h + ", query " + t + ", column " + f);
                    }
                }
            }
        }
        // The start cycle's edge begins the run; the output after edge i is the (i - start + 1)th.
        return new Outputs(av, last - startCycle + 1);
    }

    /** The model's outputs on a stimulus. */
    public List<Map<String, Long>> modelOutputs(List<Map<String, Long>> stimulus) {
        Model model = model(false);
        List<Map<String, Long>> out = new ArrayList<>(stimulus.size());
        for (Map<String, Long> c : stimulus) {
            out.add(model.step(c));
        }
        return out;
    }

    // ------------------------------------------------------------------ Java model

    @Override
    public Model model(boolean bug) {
        return new CoreModel(this, bug);
    }

    @Override
    public Map<String, Long> random(SplittableRandom r) {
        Map<String, Long> in = new LinkedHashMap<>();
        in.put("rst", 0L);
        in.put("load_we", r.nextInt(4) == 0 ? 0L : 1L);
        in.put("load_sel", (long) r.nextInt(4));
        in.put("load_bank", (long) r.nextInt(1 << bankW));
        in.put("load_addr", (long) r.nextInt(1 << loadAw));
        in.put("load_data", (long) r.nextInt(256));
        boolean start = r.nextInt(64) == 0;
        in.put("start", start ? 1L : 0L);
        in.put("start_chunks", (long) r.nextInt(Math.min(1 << chunksW, 8)));
        in.put("start_heads", (long) r.nextInt(Math.min(1 << headsW, 3)));
        return in;
    }

    /** Extreme operands everywhere (the scores' and the numerator's widest values), then a run over them. */
    @Override
    public List<Map<String, Long>> directed() {
        List<Map<String, Long>> out = new ArrayList<>();
        int tokens = Math.min(p.tokens(), 4 * p.cols());
        for (int sel = 0; sel < 3; sel++) {
            int dim = sel == 2 ? p.valueDim() : p.headDim();
            for (int t = 0; t < tokens; t++) {
                for (int e = 0; e < dim; e++) {
                    long v = sel == 0 ? 0x80 : sel == 1 ? (t % 2 == 0 ? 0x80 : 0x7F) : (t % 3 == 0 ? 0x80 : 0x7F);
                    out.add(load(sel, sel == 0 ? t % p.rows() : t % p.cols(), address(p, sel, 0, t, e, tokens), v));
                }
            }
        }
        Map<String, Long> go = load(0, 0, 0, 0);
        go.put("load_we", 0L);
        go.put("start", 1L);
        go.put("start_chunks", (long) tokens / p.cols());
        go.put("start_heads", 1L);
        out.add(go);
        long wait = cycles(p, tokens, 1) + 4;
        for (long i = 0; i < wait; i++) {
            Map<String, Long> idle = load(0, 0, 0, 0);
            idle.put("load_we", 0L);
            out.add(idle);
        }
        return out;
    }

    /** One cycle writing {@code value} at a memory's bank and address (start low). */
    public static Map<String, Long> load(int sel, int bank, int addr, long value) {
        Map<String, Long> in = new LinkedHashMap<>();
        in.put("rst", 0L);
        in.put("load_we", 1L);
        in.put("load_sel", (long) sel);
        in.put("load_bank", (long) bank);
        in.put("load_addr", (long) addr);
        in.put("load_data", value & 0xFF);
        in.put("start", 0L);
        in.put("start_chunks", 0L);
        in.put("start_heads", 0L);
        return in;
    }

    /** The bit-exact model: the RTL's registers, updated as its clock edge updates them. */
    static final class CoreModel implements Model {
        private final AttentionCore k;
        private final AttentionParams p;
        private final boolean bug;
        final long[][] qMem;
        final long[][] kMem;
        final long[][] vMem;
        final long[] qRd;
        final long[] kRd;
        final long[] vRd;
        int phase;
        int cnt;
        int chunks;
        int heads;
        int chunk;
        int block;
        int head;
        long qbase;
        long khead;
        long kcur;
        long vhead;
        long vcur;
        long query;
        final long[][] s;
        final long[][] pr;
        boolean validA;
        int itemA;
        boolean validB;
        int itemB;
        final long[] mOld;
        final long[] mx;
        final long[] idx;
        final boolean[] zeroA;
        final long[] ex;
        final boolean[] zeroB;
        final long[] alpha;
        final long[] psum;
        final long[] pv;
        final long[] d;
        final long[][] rnv;
        final long[] drD;
        final long[][] drN;
        final long[] rem;
        final long[] dsh;
        final long[] quot;
        final boolean[] sat;
        final boolean[] neg;
        final long[] outData;
        boolean drBusy;
        int drStep;
        int drF;
        boolean outValid;
        int outF;
        long drQuery;
        long outQuery;

        CoreModel(AttentionCore k, boolean bug) {
            this.k = k;
            this.p = k.p;
            this.bug = bug;
            int R = p.rows();
            int C = p.cols();
            int F = p.valueDim();
            qMem = new long[R][1 << k.qAw];
            kMem = new long[C][1 << k.kAw];
            vMem = new long[C][1 << k.vAw];
            qRd = new long[R];
            kRd = new long[C];
            vRd = new long[C];
            s = new long[R][C];
            pr = new long[R][C];
            mOld = new long[R];
            mx = new long[R];
            idx = new long[R];
            zeroA = new boolean[R];
            ex = new long[R];
            zeroB = new boolean[R];
            alpha = new long[R];
            psum = new long[R];
            pv = new long[R];
            d = new long[R];
            rnv = new long[R][F];
            drD = new long[R];
            drN = new long[R][F];
            rem = new long[R];
            dsh = new long[R];
            quot = new long[R];
            sat = new boolean[R];
            neg = new boolean[R];
            outData = new long[R];
            reset();
        }

        private void reset() {
            phase = 0;
            cnt = 0;
            chunks = 0;
            heads = 0;
            chunk = 0;
            block = 0;
            head = 0;
            qbase = 0;
            khead = 0;
            kcur = 0;
            vhead = 0;
            vcur = 0;
            query = 0;
            for (long[] row : s) {
                java.util.Arrays.fill(row, 0);
            }
            for (long[] row : pr) {
                java.util.Arrays.fill(row, 0);
            }
            validA = false;
            itemA = 0;
            validB = false;
            itemB = 0;
            java.util.Arrays.fill(mOld, minScore());
            for (long[] a : List.of(mx, idx, alpha, psum, pv, d, drD, rem, dsh, quot, outData)) {
                java.util.Arrays.fill(a, 0);
            }
            // ex and the read data registers are memories' outputs: not reset, as in the RTL.
            java.util.Arrays.fill(zeroA, false);
            java.util.Arrays.fill(zeroB, false);
            java.util.Arrays.fill(sat, false);
            java.util.Arrays.fill(neg, false);
            for (long[] row : rnv) {
                java.util.Arrays.fill(row, 0);
            }
            for (long[] row : drN) {
                java.util.Arrays.fill(row, 0);
            }
            drBusy = false;
            drStep = 0;
            drF = 0;
            outValid = false;
            outF = 0;
            drQuery = 0;
            outQuery = 0;
        }

        private long minScore() {
            return -(1L << (k.scoreW - 1));
        }

        private static long wrap(long v, int w) {
            return Block.mask(v, w);
        }

        private static long sx(long v, int w) {
            return Block.signed(v, w);
        }

        @Override
        public Map<String, Long> step(Map<String, Long> in) {
            int R = p.rows();
            int C = p.cols();
            int E = p.headDim();
            int F = p.valueDim();
            int PF = p.probabilityFraction();
            // Memory reads and writes happen in every cycle, reset or not (block RAM has no reset).
            long qRa = wrap(qbase + cnt, k.qAw);
            long kRa = wrap(kcur + cnt, k.kAw);
            long vRa = wrap(vcur + cnt, k.vAw);
            long[] qRdNext = new long[R];
            long[] kRdNext = new long[C];
            long[] vRdNext = new long[C];
            for (int r = 0; r < R; r++) {
                qRdNext[r] = qMem[r][(int) qRa];
            }
            for (int c = 0; c < C; c++) {
                kRdNext[c] = kMem[c][(int) kRa];
                vRdNext[c] = vMem[c][(int) vRa];
            }
            long[] exNext = new long[R];
            for (int r = 0; r < R; r++) {
                exNext[r] = k.expTable[(int) idx[r]];
            }
            if (in.get("load_we") == 1) {
                int sel = (int) (long) in.get("load_sel");
                int bank = (int) (long) in.get("load_bank");
                long addr = in.get("load_addr");
                long data = sx(in.get("load_data"), 8);
                if (sel == 0 && bank < R) {
                    qMem[bank][(int) wrap(addr, k.qAw)] = data;
                } else if (sel == 1 && bank < C) {
                    kMem[bank][(int) wrap(addr, k.kAw)] = data;
                } else if (sel == 2 && bank < C) {
                    vMem[bank][(int) wrap(addr, k.vAw)] = data;
                }
            }
            if (in.get("rst") == 1) {
                reset();
                System.arraycopy(qRdNext, 0, qRd, 0, R);
                System.arraycopy(kRdNext, 0, kRd, 0, C);
                System.arraycopy(vRdNext, 0, vRd, 0, C);
                System.arraycopy(exNext, 0, ex, 0, R);
                return outputs();
            }
            boolean idle = phase == 0;
            boolean start = in.get("start") == 1;
            long startChunks = in.get("start_chunks");
            long startHeads = in.get("start_heads");
            boolean startOk = start && idle && !drBusy && startChunks != 0 && startChunks <= p.tokens() / C
                && startHeads != 0 && startHeads <= p.heads();
            boolean qkLast = phase == 1 && cnt == E;
            boolean maxLast = phase == 2 && cnt == C - 1;
            boolean expLast = phase == 3 && cnt == C + 2;
            boolean pvLast = phase == 4 && cnt == F + 1;
            boolean moreChunks = wrap(chunk + 1, k.chunksW) < chunks;
            boolean handGo = phase == 5 && !drBusy;
            long blocksPerHead = (long) chunks * (C / R);
            boolean moreBlocks = block + 1 < blocksPerHead;
            boolean moreHeads = wrap(head + 1, k.headsW) < heads;
            boolean chunkAdvance = pvLast && moreChunks;
            boolean blockAdvance = handGo && moreBlocks;
            boolean headAdvance = handGo && !moreBlocks && moreHeads;
            boolean drLastStep = drBusy && drStep == 16;
            boolean drSetup = drBusy && drStep == 0;
            boolean drDone = drLastStep && drF == F - 1;
            int fSel = (int) wrap(cnt - 2, k.cntW);

            int phaseNext = phase;
            if (startOk) {
                phaseNext = 1;
            }
            if (qkLast) {
                phaseNext = 2;
            }
            if (maxLast) {
                phaseNext = 3;
            }
            if (expLast) {
                phaseNext = 4;
            }
            if (pvLast) {
                phaseNext = moreChunks ? 1 : 5;
            }
            if (handGo) {
                phaseNext = moreBlocks || moreHeads ? 1 : 0;
            }
            boolean phaseEnds = startOk || qkLast || maxLast || expLast || pvLast || handGo;
            int cntNext = phaseEnds || idle || phase == 5 ? 0 : (int) wrap(cnt + 1, k.cntW);

            // Array.
            long[][] sNext = new long[R][C];
            long[][] prNext = new long[R][C];
            for (int r = 0; r < R; r++) {
                for (int c = 0; c < C; c++) {
                    sNext[r][c] = s[r][c];
                    if (phase == 1 && cnt != 0) {
                        long base = cnt == 1 ? 0 : s[r][c];
                        sNext[r][c] = sx(base + qRd[r] * kRd[c], k.scoreW);
                    }
                    prNext[r][c] = pr[r][c];
                }
            }
            boolean validANext = phase == 3 && cnt <= C;
            int itemANext = cnt;
            // Lanes.
            long[] mOldN = mOld.clone();
            long[] mxN = mx.clone();
            long[] idxN = idx.clone();
            boolean[] zeroAN = zeroA.clone();
            boolean[] zeroBN = zeroB.clone();
            long[] alphaN = alpha.clone();
            long[] psumN = psum.clone();
            long[] pvN = pv.clone();
            long[] dN = d.clone();
            long[][] rnvN = new long[R][];
            long[] drDN = drD.clone();
            long[][] drNN = new long[R][];
            long[] remN = rem.clone();
            long[] dshN = dsh.clone();
            long[] quotN = quot.clone();
            boolean[] satN = sat.clone();
            boolean[] negN = neg.clone();
            long[] outN = outData.clone();
            int sh = p.outputFraction() - p.inputFraction();
            for (int r = 0; r < R; r++) {
                rnvN[r] = rnv[r].clone();
                drNN[r] = drN[r].clone();
                long cur = s[r][Math.min(cnt, C - 1)];
                long maxBase = cnt == 0 ? mOld[r] : mx[r];
                if (phase == 2) {
                    mxN[r] = Math.max(maxBase, cur);
                }
                if (startOk || handGo) {
                    mOldN[r] = minScore();
                } else if (expLast) {
                    mOldN[r] = mx[r];
                }
                long prev = s[r][Math.min((int) wrap(fSel + 1, k.cntW), C - 1)];
                long x = cnt == 0 ? mOld[r] : prev;
                long diff = mx[r] - x; // within scoreW + 1 bits, as the RTL's widened subtraction
                long diffU = wrap(diff, k.scoreW + 1);
                long t = (diffU * k.scaleConst + (1L << 15)) >>> 16;
                idxN[r] = wrap(t, k.idxW);
                zeroAN[r] = t > (1L << k.idxW) - 1;
                zeroBN[r] = zeroA[r];
                long pe = zeroB[r] ? 0 : ex[r];
                boolean landAlpha = validB && itemB == 0;
                if (landAlpha) {
                    alphaN[r] = pe;
                }
                for (int c = 0; c < C; c++) {
                    if (validB && itemB == c + 1) {
                        prNext[r][c] = pe;
                    }
                }
                if (validB && !landAlpha) {
                    psumN[r] = sx((itemB == 1 ? 0 : psum[r]) + pe, k.runW);
                }
                if (phase == 4 && cnt != 0) {
                    long tree = 0;
                    for (int c = 0; c < C; c++) {
                        tree += pr[r][c] * vRd[c];
                    }
                    pvN[r] = sx(tree, k.pvW);
                }
                long operand = cnt == 0 ? d[r] : rnv[r][Math.min(fSel, F - 1)];
                long a = bug ? Math.min(alpha[r] + 1, 1L << PF) : alpha[r];
                long shifted = sx((operand * a) >> PF, k.runW);
                long addend = cnt == 0 ? psum[r] : pv[r];
                long updated = sx(shifted + addend, k.runW);
                if (phase == 4 && cnt == 0) {
                    dN[r] = updated;
                }
                if (phase == 4 && cnt >= 2 && fSel < F) {
                    rnvN[r][fSel] = updated;
                }
                if (handGo) {
                    drDN[r] = d[r];
                    for (int f = 0; f < F; f++) {
                        drNN[r][f] = rnv[r][f];
                    }
                }
                // Drain.
                long num = drN[r][Math.min(drF, F - 1)];
                boolean isNeg = num < 0;
                long magU = wrap(isNeg ? -num : num, k.runW);
                long numer = magU << sh;
                long den = wrap(drD[r], k.runW);
                boolean fits = Long.compareUnsigned(rem[r], dsh[r]) >= 0;
                long qNext = wrap((quot[r] << 1) | (fits ? 1 : 0), 16);
                if (drSetup) {
                    remN[r] = numer;
                    dshN[r] = den << 15;
                    quotN[r] = 0;
                    satN[r] = Long.compareUnsigned(numer, den << 16) >= 0;
                    negN[r] = isNeg;
                } else if (drBusy) {
                    remN[r] = fits ? rem[r] - dsh[r] : rem[r];
                    dshN[r] = dsh[r] >>> 1;
                    quotN[r] = qNext;
                }
                long clipped = sat[r] || (qNext & 0x8000) != 0 ? 32767 : qNext;
                long outVal = sx(neg[r] ? -clipped : clipped, 16);
                if (drLastStep) {
                    outN[r] = outVal;
                }
            }

            // Control and addresses.
            int chunksN = startOk ? (int) startChunks : chunks;
            int headsN = startOk ? (int) startHeads : heads;
            int chunkN = startOk || handGo ? 0 : chunkAdvance ? (int) wrap(chunk + 1, k.chunksW) : chunk;
            int blkW = k.chunksW + log2(C) + 1;
            int blockN = startOk || headAdvance ? 0 : blockAdvance ? (int) wrap(block + 1, blkW) : block;
            int headN = startOk ? 0 : headAdvance ? (int) wrap(head + 1, k.headsW) : head;
            long qbaseN = startOk ? 0 : handGo ? wrap(qbase + E, k.qAw) : qbase;
            long kNext = wrap(kcur + E, k.kAw);
            long vNext = wrap(vcur + F, k.vAw);
            long kcurN = startOk ? 0 : chunkAdvance || headAdvance ? kNext : blockAdvance ? khead : kcur;
            long kheadN = startOk ? 0 : headAdvance ? kNext : khead;
            long vcurN = startOk ? 0 : chunkAdvance || headAdvance ? vNext : blockAdvance ? vhead : vcur;
            long vheadN = startOk ? 0 : headAdvance ? vNext : vhead;
            long queryN = startOk ? 0 : handGo ? wrap(query + R, k.queryW) : query;
            boolean drBusyN = handGo || (!drDone && drBusy);
            int drStepN = handGo || drLastStep ? 0 : drBusy ? (drStep + 1) & 31 : drStep;
            int drFN = handGo ? 0 : drLastStep ? (int) wrap(drF + 1, k.fW) : drF;
            boolean outValidN = drLastStep;
            int outFN = drLastStep ? drF : outF;
            long drQueryN = handGo ? query : drQuery;
            long outQueryN = drLastStep ? drQuery : outQuery;

            // Commit (the clock edge).
            phase = phaseNext;
            cnt = cntNext;
            chunks = chunksN;
            heads = headsN;
            chunk = chunkN;
            block = blockN;
            head = headN;
            qbase = qbaseN;
            kcur = kcurN;
            khead = kheadN;
            vcur = vcurN;
            vhead = vheadN;
            query = queryN;
            for (int r = 0; r < R; r++) {
                System.arraycopy(sNext[r], 0, s[r], 0, C);
                System.arraycopy(prNext[r], 0, pr[r], 0, C);
                System.arraycopy(rnvN[r], 0, rnv[r], 0, F);
                System.arraycopy(drNN[r], 0, drN[r], 0, F);
            }
            itemB = itemA;
            validB = validA;
            itemA = itemANext;
            validA = validANext;
            System.arraycopy(mOldN, 0, mOld, 0, R);
            System.arraycopy(mxN, 0, mx, 0, R);
            System.arraycopy(idxN, 0, idx, 0, R);
            System.arraycopy(zeroAN, 0, zeroA, 0, R);
            System.arraycopy(zeroBN, 0, zeroB, 0, R);
            System.arraycopy(alphaN, 0, alpha, 0, R);
            System.arraycopy(psumN, 0, psum, 0, R);
            System.arraycopy(pvN, 0, pv, 0, R);
            System.arraycopy(dN, 0, d, 0, R);
            System.arraycopy(drDN, 0, drD, 0, R);
            System.arraycopy(remN, 0, rem, 0, R);
            System.arraycopy(dshN, 0, dsh, 0, R);
            System.arraycopy(quotN, 0, quot, 0, R);
            System.arraycopy(satN, 0, sat, 0, R);
            System.arraycopy(negN, 0, neg, 0, R);
            System.arraycopy(outN, 0, outData, 0, R);
            System.arraycopy(qRdNext, 0, qRd, 0, R);
            System.arraycopy(kRdNext, 0, kRd, 0, C);
            System.arraycopy(vRdNext, 0, vRd, 0, C);
            System.arraycopy(exNext, 0, ex, 0, R);
            drBusy = drBusyN;
            drStep = drStepN;
            drF = drFN;
            outValid = outValidN;
            outF = outFN;
            drQuery = drQueryN;
            outQuery = outQueryN;
            return outputs();
        }

        private Map<String, Long> outputs() {
            Map<String, Long> o = new LinkedHashMap<>();
            o.put("phase", (long) phase);
            o.put("busy", phase != 0 || drBusy ? 1L : 0L);
            for (int r = 0; r < p.rows(); r++) {
                o.put("out_data_" + r, Block.mask(outData[r], 16));
            }
            o.put("out_valid", outValid ? 1L : 0L);
            o.put("out_f", (long) outF);
            o.put("out_query", outQuery);
            return o;
        }
    }
}
