from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'figure.html'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    parent_template = None
    pass
    parent_template = environment.get_template('base.html', 'figure.html')
    for name, parent_block in parent_template.blocks.items():
        context.blocks.setdefault(name, []).append(parent_block)
    yield from parent_template.root_render_func(context)

def block_title(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    l_0_figure = resolve('figure')
    l_0_site = resolve('site')
    pass
    yield escape(environment.getattr((undefined(name='figure') if l_0_figure is missing else l_0_figure), 'title'))
    yield ' · '
    yield escape(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'short_title'))

def block_main(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    l_0_figure = resolve('figure')
    l_0_url = resolve('url')
    pass
    yield '<h1>'
    yield escape(environment.getattr((undefined(name='figure') if l_0_figure is missing else l_0_figure), 'title'))
    yield '</h1>\n'
    if (environment.getattr((undefined(name='figure') if l_0_figure is missing else l_0_figure), 'kind') == 'gap-map'):
        pass
        yield '<figure class="figure figure-full">\n'
        template = environment.get_template('_gap_map.html', 'figure.html')
        gen = template.root_render_func(template.new_context(context.get_all(), True, {}))
        try:
            for event in gen:
                yield event
        finally: gen.close()
        yield '  <figcaption>'
        yield escape(environment.getattr((undefined(name='figure') if l_0_figure is missing else l_0_figure), 'caption'))
        yield ' '
        yield escape(environment.getattr((undefined(name='figure') if l_0_figure is missing else l_0_figure), 'note'))
        yield ' Download <a href="'
        yield escape(context.call((undefined(name='url') if l_0_url is missing else l_0_url), (('figures/' + environment.getattr((undefined(name='figure') if l_0_figure is missing else l_0_figure), 'key')) + '.svg'), _block_vars=_block_vars))
        yield '">the figure (SVG)</a> or <a href="'
        yield escape(context.call((undefined(name='url') if l_0_url is missing else l_0_url), (('figures/' + environment.getattr((undefined(name='figure') if l_0_figure is missing else l_0_figure), 'key')) + '.csv'), _block_vars=_block_vars))
        yield '">the data (CSV)</a>.</figcaption>\n</figure>\n<h2 id="cells">Studies in each cell</h2>\n<div class="cell-lists">\n'
        for (l_1_row_label, l_1_cells) in environment.getattr(environment.getattr(environment.getattr((undefined(name='figure') if l_0_figure is missing else l_0_figure), 'extra'), 'map'), 'rows'):
            _loop_vars = {}
            pass
            for l_2_cell in l_1_cells:
                _loop_vars = {}
                pass
                yield '<section class="cell-list" id="'
                yield escape(environment.getattr(l_2_cell, 'anchor'))
                yield '">\n  <h3>'
                yield escape(environment.getattr(l_2_cell, 'row'))
                yield ' × '
                yield escape(environment.getattr(l_2_cell, 'column'))
                yield ' <span class="muted">('
                if environment.getattr(l_2_cell, 'ruled_out'):
                    pass
                    yield 'not possible by definition'
                else:
                    pass
                    yield escape(environment.getattr(l_2_cell, 'count'))
                yield ')</span></h3>\n'
                if (environment.getattr(l_2_cell, 'studies') and environment.getattr(l_2_cell, 'listed')):
                    pass
                    yield '  <ul>'
                    for l_3_study_id in environment.getattr(l_2_cell, 'studies'):
                        l_3_studies_by_id = resolve('studies_by_id')
                        _loop_vars = {}
                        pass
                        yield '<li><a href="'
                        yield escape(context.call((undefined(name='url') if l_0_url is missing else l_0_url), (('studies/' + l_3_study_id) + '.html'), _loop_vars=_loop_vars))
                        yield '">'
                        yield escape(environment.getattr(environment.getitem((undefined(name='studies_by_id') if l_3_studies_by_id is missing else l_3_studies_by_id), l_3_study_id), 'short_citation'))
                        yield '</a> <span class="muted">'
                        yield escape(environment.getattr(environment.getitem((undefined(name='studies_by_id') if l_3_studies_by_id is missing else l_3_studies_by_id), l_3_study_id), 'title'))
                        yield '</span></li>'
                    l_3_study_id = l_3_studies_by_id = missing
                    yield '</ul>\n'
                    if environment.getattr(l_2_cell, 'query'):
                        pass
                        yield '  <p><a href="'
                        yield escape(context.call((undefined(name='url') if l_0_url is missing else l_0_url), 'studies/index.html', _loop_vars=_loop_vars))
                        yield '?'
                        yield escape(environment.getattr(l_2_cell, 'query'))
                        yield '">Open in the study table</a></p>\n'
                elif environment.getattr(l_2_cell, 'studies'):
                    pass
                    yield '  <p><a href="'
                    yield escape(context.call((undefined(name='url') if l_0_url is missing else l_0_url), 'studies/index.html', _loop_vars=_loop_vars))
                    yield '?'
                    yield escape(environment.getattr(l_2_cell, 'query'))
                    yield '">Open its '
                    yield escape(environment.getattr(l_2_cell, 'count'))
                    yield ' studies in the study table</a></p>\n'
                elif environment.getattr(l_2_cell, 'ruled_out'):
                    pass
                    yield '  <p>Not possible by definition: '
                    yield escape(environment.getattr(l_2_cell, 'ruled_out'))
                    yield '.</p>\n'
                else:
                    pass
                    yield '  <p>No study yet: a gap in the evidence.</p>\n'
                yield '</section>\n'
            l_2_cell = missing
        l_1_row_label = l_1_cells = missing
        yield '</div>\n'
    else:
        pass
        yield '<figure class="figure figure-full">\n  <img src="'
        yield escape(context.call((undefined(name='url') if l_0_url is missing else l_0_url), (('figures/' + environment.getattr((undefined(name='figure') if l_0_figure is missing else l_0_figure), 'key')) + '.svg'), _block_vars=_block_vars))
        yield '" alt="'
        yield escape(environment.getattr((undefined(name='figure') if l_0_figure is missing else l_0_figure), 'alt'))
        yield '">\n  <figcaption>'
        yield escape(environment.getattr((undefined(name='figure') if l_0_figure is missing else l_0_figure), 'caption'))
        yield ' '
        yield escape(environment.getattr((undefined(name='figure') if l_0_figure is missing else l_0_figure), 'note'))
        yield ' <a href="'
        yield escape(context.call((undefined(name='url') if l_0_url is missing else l_0_url), (('figures/' + environment.getattr((undefined(name='figure') if l_0_figure is missing else l_0_figure), 'key')) + '.csv'), _block_vars=_block_vars))
        yield '">Download the data (CSV)</a>.</figcaption>\n</figure>\n<h2 id="data">Data</h2>\n<div class="table-scroll">\n<table class="data">\n  <caption>'
        yield escape(environment.getattr((undefined(name='figure') if l_0_figure is missing else l_0_figure), 'title'))
        yield '</caption>\n  <thead><tr>'
        for l_1_heading in environment.getattr((undefined(name='figure') if l_0_figure is missing else l_0_figure), 'header'):
            _loop_vars = {}
            pass
            yield '<th scope="col">'
            yield escape(l_1_heading)
            yield '</th>'
        l_1_heading = missing
        yield '</tr></thead>\n  <tbody>\n'
        l_1_loop = missing
        for l_1_row, l_1_loop in LoopContext(environment.getattr((undefined(name='figure') if l_0_figure is missing else l_0_figure), 'rows'), undefined):
            _loop_vars = {}
            pass
            yield '  <tr>'
            l_2_loop = missing
            for l_2_cell, l_2_loop in LoopContext(l_1_row, undefined):
                _loop_vars = {}
                pass
                if environment.getattr(l_2_loop, 'first'):
                    pass
                    yield '<th scope="row">'
                    yield escape(environment.getattr(l_2_cell, 'text'))
                    yield '</th>'
                else:
                    pass
                    yield '<td>'
                    yield escape(environment.getattr(l_2_cell, 'text'))
                    yield '</td>'
            l_2_loop = l_2_cell = missing
            yield '</tr>\n'
        l_1_loop = l_1_row = missing
        yield '  </tbody>\n</table>\n</div>\n'

blocks = {'title': block_title, 'main': block_main}
debug_info = '1=12&2=17&3=31&4=42&5=44&7=47&8=54&12=62&13=69&14=71&15=82&16=85&17=98&18=101&20=105&21=108&22=114&23=117&32=129&33=133&38=139&39=141&41=150&42=155'